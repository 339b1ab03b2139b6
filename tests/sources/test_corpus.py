"""Real-world material through the whole pipeline: served over HTTP, fetched, cleaned, stored.

Every feed under ../shared/corpus/feeds/ and every feedparser torture file is served with the
headers its `Header:` comment names; each must be stored with intact text or refused with a
reason recorded on its source, never crash. The Markdown notes import with MathML formulas.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import latest_articles
from incoming.store.engine import Store
from incoming.store.sources import add_source, list_sources
from tests.support.server import FixtureServer

pytestmark = pytest.mark.corpus

HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z-]+):\s*(.*?)\s*(?:-->)?\s*$", re.MULTILINE)
# UTF-8 read as Latin-1/cp1252, the usual mojibake.
MOJIBAKE = re.compile("[ÃÂâäåæçèé][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]")
SETTINGS = FetchSettings(allow_private_addresses=True, max_per_host=8, max_connections=16)


def served_headers(body: bytes) -> dict[str, str]:
    headers = {name.decode(): value.decode("latin-1") for name, value in HEADER.findall(body)}
    return {name: value for name, value in headers.items() if value}


def test_every_corpus_feed_is_stored_or_refused_with_a_reason(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    files = sorted(
        path
        for folder in ("feeds", "torture/feedparser/tests")
        for path in (corpus / folder).rglob("*")
        if path.is_file()
    )
    by_url: dict[str, Path] = {}
    now = datetime.now(UTC)
    with store.write() as connection:
        for number, path in enumerate(files):
            body = path.read_bytes()
            route = f"/{number}/{path.name}"
            server.route(route, body=body, headers=served_headers(body))
            by_url[server.url(route)] = path
            add_source(connection, kind="feed", url=server.url(route), now=now)

    outcomes = asyncio.run(service.fetch_sources(store, None, fetch_settings=SETTINGS))

    assert len(outcomes) == len(files)
    crashes = [o for o in outcomes if o.error and o.error.startswith("internal error")]
    assert crashes == []
    with store.read() as connection:
        sources = {s.id: s for s in list_sources(connection)}
        articles = latest_articles(connection, limit=100_000)
    for outcome in outcomes:
        if outcome.failed:
            assert sources[outcome.source_id].last_error == outcome.error
    stored_sources = {a.source_id for a in articles}
    print(
        f"{len(files)} files: {len(stored_sources)} stored, "
        f"{sum(o.failed for o in outcomes)} refused with a reason, {len(articles)} articles"
    )
    assert len(stored_sources) > len(files) // 2
    for article in articles:
        raw = by_url[sources[article.source_id].url].read_bytes()
        if b"\xef\xbf\xbd" not in raw and b"fffd" not in raw.lower():
            assert "\ufffd" not in article.title + article.content_text, article.title
        assert not MOJIBAKE.search(article.title), article.title
        assert "<script" not in article.content_html


def test_corpus_markdown_imports_as_notes_with_mathml(store: Store, corpus: Path) -> None:
    added = asyncio.run(
        service.add_source(store, str(corpus / "markdown"), topic=None, fetch_settings=SETTINGS)
    )
    with store.read() as connection:
        notes = latest_articles(connection, limit=100)
    assert added.counts.new == len(list((corpus / "markdown").rglob("*.md"))) == len(notes)
    for note in notes:
        converted = note.content_html.count("<math")
        fallbacks = note.content_html.count('class="math-tex"')
        print(f"{note.title}: {converted} formulas as MathML, {fallbacks} left as TeX code")
        assert converted > 0
        assert fallbacks <= converted // 10
