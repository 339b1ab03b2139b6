"""Broken and hostile servers during a fetch run: each failure is recorded, the others go on."""

from __future__ import annotations

import asyncio
import gzip
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import latest_articles
from incoming.store.engine import Store
from incoming.store.sources import Source, add_source, list_sources
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

DATA = Path(__file__).resolve().parents[1] / "parse" / "data"
FAST = FetchSettings(
    allow_private_addresses=True, total_timeout=1.0, read_timeout=0.5, max_body_bytes=64 * 1024
)
GOOD = rss([("g1", "正常的源", "<p>一切正常。</p>")], title="good")

# name: (route options, settings changes, a fragment of the recorded error)
FAULTS: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "not found": ({"status": 404}, {}, "HTTP 404"),
    "server error": ({"status": 500}, {}, "HTTP 500"),
    "rate limited": ({"status": 429, "headers": {"Retry-After": "7200"}}, {}, "429"),
    "unavailable": ({"status": 503, "headers": {"Retry-After": "120"}}, {}, "503"),
    "slow server": ({"body": GOOD, "drip": 0.2}, {}, "gave up after"),
    "over the cap": ({"body": b"<rss>" + b"x" * 200_000}, {}, "larger than"),
    "lying length": ({"body": b"x" * 200_000, "content_length": 10}, {}, ""),
    "endless body": ({"endless": True}, {}, "larger than"),
    "gzip bomb": (
        {"body": gzip.compress(b"\0" * 20_000_000), "headers": {"Content-Encoding": "gzip"}},
        {},
        "larger than",
    ),
    "not a feed": (
        {
            "body": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
            "headers": {"Content-Type": "image/png"},
        },
        {},
        "",
    ),
    "html page": (
        {"body": b"<html><body>moved</body></html>", "headers": {"Content-Type": "text/html"}},
        {},
        "feed",
    ),
    "private redirect": (
        {"status": 302, "headers": {"Location": "http://10.1.2.3/feed"}},
        {"allow_private_addresses": False, "allowed_networks": ("127.0.0.0/8",)},
        "10.1.2.3",
    ),
}


def run_fetch(store: Store, settings: FetchSettings) -> dict[str, Any]:
    outcomes = asyncio.run(service.fetch_sources(store, None, fetch_settings=settings))
    return {outcome.name: outcome for outcome in outcomes}


def add_feeds(store: Store, server: FixtureServer, *paths: str) -> None:
    now = datetime.now(UTC)
    with store.write() as connection:
        for path in paths:
            add_source(connection, kind="feed", url=server.url(path), now=now, title=path)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_is_recorded_and_the_other_source_goes_on(
    store: Store, server: FixtureServer, fault: str
) -> None:
    route, changes, message = FAULTS[fault]
    server.route("/bad", **route)
    server.route("/good", body=GOOD, headers=RSS_HEADERS)
    add_feeds(store, server, "/bad", "/good")
    before = datetime.now(UTC)
    outcomes = run_fetch(store, replace(FAST, **changes))
    assert not outcomes["/good"].failed
    assert outcomes["/bad"].failed
    assert message in outcomes["/bad"].error
    with store.read() as connection:
        sources: dict[str, Source] = {s.title: s for s in list_sources(connection)}
        assert [a.title for a in latest_articles(connection)] == ["正常的源"]
    bad = sources["/bad"]
    assert bad.error_count == 1
    assert bad.last_error == outcomes["/bad"].error
    assert bad.next_check_at is not None
    assert bad.next_check_at > before
    if fault == "rate limited":
        assert bad.next_check_at >= before + timedelta(seconds=7200)


def test_backoff_grows_and_success_resets_it(store: Store, server: FixtureServer) -> None:
    server.route("/flaky", status=500)
    add_feeds(store, server, "/flaky")
    checks = []
    for _ in range(3):
        run_fetch(store, FAST)
        with store.read() as connection:
            [source] = list_sources(connection)
        checks.append(source.next_check_at - source.last_checked_at)
    assert checks[0] < checks[1] < checks[2]
    server.route("/flaky", body=GOOD, headers=RSS_HEADERS)
    run_fetch(store, FAST)
    with store.read() as connection:
        [source] = list_sources(connection)
    assert (source.error_count, source.last_error) == (0, None)


def test_temporary_redirect_keeps_the_url(store: Store, server: FixtureServer) -> None:
    server.route("/feed", status=302, headers={"Location": "/real"})
    server.route("/real", body=GOOD, headers=RSS_HEADERS)
    add_feeds(store, server, "/feed")
    assert not run_fetch(store, FAST)["/feed"].failed
    with store.read() as connection:
        assert [s.url for s in list_sources(connection)] == [server.url("/feed")]


def test_redirect_loop_is_recorded(store: Store, server: FixtureServer) -> None:
    server.route("/a", status=301, headers={"Location": "/b"})
    server.route("/b", status=301, headers={"Location": "/a"})
    add_feeds(store, server, "/a")
    assert "loop" in run_fetch(store, FAST)["/a"].error


FORMATS = {
    "rss091.xml": "application/rss+xml",
    "rss10.xml": "application/rdf+xml",
    "rss20.xml": "application/rss+xml",
    "atom03.xml": "application/atom+xml",
    "atom10.xml": "application/atom+xml",
    "jsonfeed10.json": "application/feed+json",
    "jsonfeed11.json": "application/feed+json",
    "gbk_declared_gb2312.xml": "application/rss+xml",
    "gbk_declared_latin1.xml": "application/rss+xml; charset=iso-8859-1",
    "gbk_no_declaration.xml": "text/xml",
    "big5.xml": "application/rss+xml",
    "utf16le_bom.xml": "application/xml",
    "broken.xml": "application/rss+xml",
}


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_and_encoding_is_stored(store: Store, server: FixtureServer, name: str) -> None:
    server.route("/feed", body=(DATA / name).read_bytes(), headers={"Content-Type": FORMATS[name]})
    add_feeds(store, server, "/feed")
    [outcome] = run_fetch(store, FAST).values()
    assert outcome.error is None
    assert outcome.counts.new >= 1
    with store.read() as connection:
        stored = latest_articles(connection, limit=1000)
    for article in stored:
        assert "\ufffd" not in article.title + article.content_text
        assert "<script" not in article.content_html
    if "gbk" in name or "big5" in name:
        assert any("\u4e00" <= ch <= "\u9fff" for a in stored for ch in a.title)


def test_relative_links_resolve_against_xml_base(store: Store, server: FixtureServer) -> None:
    feed = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
      xml:base="https://blog.example.org/posts/"><title>t</title><id>urn:t</id>
      <updated>2025-01-01T00:00:00Z</updated>
      <entry><id>urn:1</id><title>x</title><updated>2025-01-01T00:00:00Z</updated>
      <link href="one.html"/><content type="html" xml:base="https://cdn.example.org/img/">
      &lt;p&gt;&lt;a href="../a.html"&gt;a&lt;/a&gt;
      &lt;img src="f.png" alt="f"&gt;&lt;/p&gt;</content>
      </entry></feed>"""
    server.route("/atom", body=feed, headers={"Content-Type": "application/atom+xml"})
    add_feeds(store, server, "/atom")
    run_fetch(store, FAST)
    with store.read() as connection:
        [article] = latest_articles(connection)
    assert article.url == "https://blog.example.org/posts/one.html"
    assert 'href="https://cdn.example.org/a.html"' in article.content_html
    assert 'src="https://cdn.example.org/img/f.png"' in article.content_html


MATH_FORMS = {
    "inline": r"<p>损失 \(L = -\log p\) 最小化</p>",
    "display": r"<p>\[\sum_{i=1}^n x_i\]</p>",
    "mathjax script": '<p><script type="math/tex">a^2+b^2</script></p>',
    "mathjax display script": '<p><script type="math/tex; mode=display">\\frac{a}{b}</script></p>',
    "katex": '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>x</mi>'
    '</mrow><annotation encoding="application/x-tex">x^2</annotation></semantics></math></span>'
    '<span class="katex-html" aria-hidden="true">x2</span></span>',
    "zhihu image": '<img src="https://www.zhihu.com/equation?tex=E%3Dmc%5E2" alt="E=mc^2">',
}


@pytest.mark.parametrize("form", list(MATH_FORMS))
def test_every_math_form_becomes_mathml(store: Store, server: FixtureServer, form: str) -> None:
    server.route("/m", body=rss([("m", "公式", MATH_FORMS[form])]), headers=RSS_HEADERS)
    add_feeds(store, server, "/m")
    run_fetch(store, FAST)
    with store.read() as connection:
        [article] = latest_articles(connection)
    assert "<math" in article.content_html
    assert 'encoding="application/x-tex"' in article.content_html
    assert "<script" not in article.content_html


def test_a_name_that_resolves_to_a_private_address_is_refused_and_others_go_on(
    store: Store, server: FixtureServer, tmp_path: Path
) -> None:
    """`localhost` resolves (by the system's resolver) to loopback: refused after DNS."""
    server.route("/feed", body=GOOD, headers=RSS_HEADERS)
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# 笔记\n\n正文。\n", encoding="utf-8")
    now = datetime.now(UTC)
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/feed", host="localhost"), now=now)
        add_source(connection, kind="notes", url=str(tmp_path / "notes"), now=now, title="n")
    outcomes = list(run_fetch(store, replace(FAST, allow_private_addresses=False)).values())
    [refused] = [outcome for outcome in outcomes if outcome.failed]
    assert refused.error.endswith(
        "localhost is not a public address (set INCOMING_ALLOW_PRIVATE_ADDRESSES=1 to allow)"
    )
    assert "127.0.0.1" not in refused.error
    assert server.requests == []
    with store.read() as connection:
        assert [a.title for a in latest_articles(connection)] == ["笔记"]
