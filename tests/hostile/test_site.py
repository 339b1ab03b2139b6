"""Attack vectors through the whole pipeline into real Chromium: nothing runs, nothing loads.

Our own vectors (tests/hostile/vectors.py), every sanitizer payload of the shared corpus and
every string of the Big List of Naughty Strings go into entry content, titles, authors,
categories, links and enclosures of RSS and JSON feeds, into OPML attributes, and into the
front matter, HTML, links and TeX of Markdown notes. They are
served by the fixture server, fetched by the real pipeline into SQLite, checked in the store
and in every rendered page, and the pages are loaded in Chromium: no dialog, no console
error, and no CSP violation (the sanitizer must stop every vector before the CSP has to).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest

from incoming.fetch import FetchSettings
from incoming.publish.settings import SiteSettings
from incoming.sources import service
from incoming.sources.prepare import make_draft
from incoming.store.articles import Article, latest_articles, save_drafts
from incoming.store.engine import Store, open_store
from incoming.store.queries import ALL, page_ids
from incoming.store.sources import list_sources
from tests.clean.inert import active_content
from tests.clean.test_corpus import payloads
from tests.conftest import CORPUS
from tests.hostile.feeds import hostile_json_feed, hostile_notes, hostile_opml, hostile_rss
from tests.hostile.vectors import URL_VECTORS, VECTORS
from tests.publish.support import TEST_HOSTS, entry, seed, site_client
from tests.support.browser import Watched, chromium, live_site, open_tab
from tests.support.databases import require
from tests.support.server import FixtureServer

pytestmark = pytest.mark.corpus

SETTINGS = SiteSettings(
    refresh=False, marker_ttl_seconds=0, page_size=200, allowed_hosts=TEST_HOSTS
)
BATCH = 25  # vectors per batch article: one page load tries this many
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
JSON = {"Content-Type": "application/feed+json"}
_SCRIPT_SCHEME = re.compile(r"^\s*(?:java|vb|live)script:|^\s*data:text", re.IGNORECASE)
_URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "cite", "poster", "data")


@dataclass
class Attacked:
    store: Store
    vectors: list[str]  # everything tried, ours first
    articles: list[Article]


def corpus_strings() -> list[str]:
    require(CORPUS.is_dir(), f"the shared corpus is not at {CORPUS}")
    blns = json.loads((CORPUS / "text" / "blns.json").read_text(encoding="utf-8"))
    return [payload for _name, payload in payloads(CORPUS)] + [s for s in blns if s]


def _items(prefix: str, strings: list[str]) -> list[tuple[str, str, str]]:
    return [(f"{prefix}-{n}", text, text) for n, text in enumerate(strings)]


def _batches(strings: list[str]) -> list[tuple[str, str, str]]:
    return [
        (f"batch-{n}", strings[n], "".join(f"<div>{s}</div>" for s in strings[n : n + BATCH]))
        for n in range(0, len(strings), BATCH)
    ]


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attacked]:
    """Every vector served, imported from OPML and fetched into a fresh SQLite store."""
    vectors = VECTORS + corpus_strings()
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('attacked') / 'site.db'}")
    served = {
        "/ours.xml": (hostile_rss(_items("v", VECTORS), title=VECTORS[0]), RSS),
        "/ours.json": (hostile_json_feed(_items("j", VECTORS), title=VECTORS[1]), JSON),
        "/corpus.xml": (hostile_rss(_items("c", vectors[len(VECTORS) :]), title="c"), RSS),
        "/batches.xml": (hostile_rss(_batches(vectors), title=VECTORS[2]), RSS),
    }
    with FixtureServer() as server:
        for path, (body, headers) in served.items():
            server.route(path, body=body, headers=headers)
        feeds = [(server.url(path), path) for path in served]
        report = service.import_opml(store, hostile_opml(feeds, VECTORS))
        assert len(report.added) == 4
        assert len(report.refused) == len(URL_VECTORS)
        notes = tmp_path_factory.mktemp("notes")
        assert hostile_notes(notes, VECTORS) > 20
        asyncio.run(
            service.add_source(store, str(notes), topic=VECTORS[3], fetch_settings=FetchSettings())
        )
        outcomes = asyncio.run(
            service.fetch_sources(
                store,
                None,
                # Every vector must be stored to be tried: the per-fetch cap (a defence of its
                # own, tests/hostile/test_runaway.py) would keep only the newest 500 of a feed.
                fetch_settings=FetchSettings(allow_private_addresses=True, max_entries_per_fetch=0),
            )
        )
    assert [o.error for o in outcomes if o.failed] == []
    with store.read() as connection:
        articles = latest_articles(connection, limit=100_000)
    yield Attacked(store, vectors, articles)
    store.close()


def test_every_vector_is_stored_inert(attacked: Attacked) -> None:
    assert len(VECTORS) >= 150
    stored = len(attacked.articles)
    assert stored >= 2 * len(VECTORS) + len(attacked.vectors) - len(VECTORS)
    failures = {}
    for article in attacked.articles:
        problems = active_content(article.content_html) + active_content(article.excerpt_html)
        if article.url is not None and not article.url.startswith(("http://", "https://")):
            problems.append(f"link {article.url!r}")
        if problems:
            failures[article.guid] = problems
    assert failures == {}
    print(f"{len(attacked.vectors)} vectors ({len(VECTORS)} ours), {stored} articles")


def test_no_source_keeps_a_script_url(attacked: Attacked) -> None:
    with attacked.store.read() as connection:
        sources = list_sources(connection)
    for source in sources:
        urls = (source.url, source.site_url) if source.kind == "feed" else (source.site_url,)
        for url in urls:
            assert url is None or url.startswith(("http://", "https://")), url


def _page_problems(path: str, body: str) -> list[str]:
    """What in a rendered page could act: handlers, script URLs, foreign scripts and frames."""
    problems = []
    root = lxml.html.document_fromstring(body)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ("iframe", "frame", "object", "embed", "applet", "base", "portal"):
            problems.append(f"{path}: <{tag}>")
        if tag == "script" and not (element.get("src") or "").startswith("/static/"):
            problems.append(f"{path}: a script that is not ours")
        if tag == "meta" and element.get("http-equiv"):
            problems.append(f"{path}: meta http-equiv")
        if tag == "form" and element.get("action") != "/search":
            problems.append(f"{path}: a form to {element.get('action')!r}")
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                problems.append(f"{path}: {name} on <{tag}>")
            if name.lower() in _URL_ATTRIBUTES and _SCRIPT_SCHEME.search(value):
                problems.append(f"{path}: {name}={value!r} on <{tag}>")
    return problems


def _site_paths(attacked: Attacked) -> list[str]:
    with attacked.store.read() as connection:
        sources = list_sources(connection)
    topics = sorted({slug for article in attacked.articles for slug, _name in article.topics})
    pages = -(-len(attacked.articles) // SETTINGS.page_size)
    return [
        *(f"/page/{n}" if n > 1 else "/" for n in range(1, pages + 1)),
        *(f"/a/{article.id}" for article in attacked.articles[::4]),
        *(f"/a/{article.id}" for article in _batches_of(attacked)),
        "/sources",
        "/topics",
        *(f"/source/{source.id}" for source in sources),
        *(f"/source/{source.id}/feed.atom" for source in sources),
        *(f"/topic/{quote(slug)}" for slug in topics[:: max(1, len(topics) // 12)]),
        *(f"/search?q={quote(vector)}" for vector in VECTORS[::10]),
        "/search?q=alert",
        "/search?q=script",
        "/feed.atom",
        "/feed.json",
        "/opml",
    ]


def test_every_rendered_page_is_inert(attacked: Attacked) -> None:
    async def render_all() -> list[str]:
        problems = []
        async with site_client(attacked.store, SETTINGS) as client:
            for path in _site_paths(attacked):
                response = await client.get(path, follow_redirects=True)
                assert response.status_code == 200, path
                kind = response.headers["content-type"]
                if kind.startswith("text/html"):
                    problems += _page_problems(path, response.text)
                elif "json" in kind:  # JSON Feed: HTML in content_html, URLs are http(s)
                    for item in response.json()["items"]:
                        problems += active_content(item["content_html"])
                        for name in ("url", "external_url"):
                            assert item.get(name, "http:").startswith(("http:", "https:"))
                else:  # Atom and OPML: the XML parses, no URL is a script, content is inert
                    document = lxml.etree.fromstring(response.content)
                    for element in document.iter():
                        if element.tag == "{http://www.w3.org/2005/Atom}content":
                            problems += active_content(element.text or "")
                        for name, value in element.attrib.items():
                            if name in (*_URL_ATTRIBUTES, "xmlUrl", "htmlUrl"):
                                assert not _SCRIPT_SCHEME.search(value), (path, value)
        return problems

    assert asyncio.run(render_all()) == []


def _batches_of(attacked: Attacked) -> list[Article]:
    batches = [a for a in attacked.articles if (a.guid or "").startswith("batch-")]
    assert len(batches) == -(-len(attacked.vectors) // BATCH)
    return batches


def _notes_of(attacked: Attacked) -> list[Article]:
    notes = [a for a in attacked.articles if "note-" in (a.guid or "")]
    assert len(notes) == -(-len(VECTORS) // 10)
    return notes


def _browser_paths(attacked: Attacked) -> list[str]:
    """Every page but single feed articles: batch articles hold every vector, BATCH a page."""
    return [
        *(path for path in _site_paths(attacked) if not path.startswith("/a/")),
        *(f"/a/{article.id}" for article in _batches_of(attacked) + _notes_of(attacked)),
    ]


@pytest.mark.browser
def test_no_vector_runs_or_trips_the_csp_in_chromium(attacked: Attacked) -> None:
    with live_site(attacked.store, SETTINGS) as url, chromium() as browser:
        tab: Watched = open_tab(browser)
        trouble: dict[str, Any] = {}
        paths = _browser_paths(attacked)
        print(f"{len(paths)} pages loaded in Chromium")
        for path in paths:
            tab.problems.clear()
            tab.page.goto(url + path, wait_until="load")
            if "feed" not in path and "opml" not in path:
                violations = tab.violations()
                if tab.problems or violations:
                    trouble[path] = (tab.problems[:], violations)
            elif tab.problems:
                trouble[path] = tab.problems[:]
        tab.page.context.close()
    assert trouble == {}


@pytest.mark.browser
def test_the_watch_sees_a_vector_the_sanitizer_would_have_missed(tmp_path: Path) -> None:
    """The control: markup stored unsanitized (bypassing clean) is caught by the CSP watch."""
    store = open_store(f"sqlite:///{tmp_path / 'raw.db'}")
    seeded = seed(store, count=2)
    draft = make_draft(entry(99), source_topic=None, content_hash="raw")
    raw = replace(draft, content_html="<img src=x onerror=alert(1)><script>alert(2)</script>")
    with store.write() as connection:
        save_drafts(connection, seeded.feed_source, [raw], now=datetime.now(UTC))
        [article_id] = page_ids(connection, ALL, limit=1)
    with live_site(store, SETTINGS) as url, chromium() as browser:
        tab = open_tab(browser)
        tab.page.goto(f"{url}/a/{article_id}", wait_until="load")
        violations = tab.violations()
        tab.page.context.close()
    store.close()
    assert any(v.startswith("script-src") for v in violations), violations
