"""Broken input through the real fetcher and pipeline: stored correctly or refused with a reason.

Bad bytes, control characters, absurd dates, empty titles, duplicate ids, the same article in
two feeds, a 10 MB entry and a 100,000-entry feed: never a crash, never an internal error.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path

import pytest

from incoming.store.articles import latest_articles
from incoming.store.engine import Store, open_store
from tests.sources.feeds import RSS_HEADERS, rss
from tests.sources.test_faults import FAST, add_feeds, run_fetch
from tests.support.server import FixtureServer


def _item(guid: str, title: str, body: str, date: str = "Mon, 01 Sep 2025 08:00:00 GMT") -> str:
    return (
        f"<item><guid>{guid}</guid><title>{title}</title><pubDate>{date}</pubDate>"
        f"<description>{body}</description></item>"
    )


def _feed(*items: str, declaration: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{declaration}"?><rss version="2.0"><channel>'
        f"<title>broken</title>{''.join(items)}</channel></rss>"
    ).encode("utf-8", "surrogateescape")


BROKEN = {
    "invalid utf-8": (
        _feed(_item("1", "caf\udce9 \udcff\udcfe ok", "<p>\udcc3( bytes</p>")),
        {"1": "ok"},
    ),
    "invalid gbk": (
        "<?xml version='1.0' encoding='gb2312'?><rss version='2.0'><channel><title>t</title>"
        "<item><guid>1</guid><title>机器学习</title><description>坏字节</description></item>"
        "</channel></rss>".encode("gbk").replace("坏".encode("gbk"), b"\x81\x20\xff"),
        {"1": "机器学习"},
    ),
    "nul and control characters": (
        _feed(_item("1", "a\x00b\x01c\x1bd", "<p>x\x00y\x08z\x7f</p>")),
        {"1": "abcd"},
    ),
    "empty titles": (_feed(_item("1", "", "<p>no title</p>"), _item("2", " ", "")), {}),
    "year 0 and 9999": (
        _feed(
            _item("1", "zero", "<p>z</p>", "Sat, 01 Jan 0000 00:00:00 GMT"),
            _item("2", "far", "<p>f</p>", "Fri, 31 Dec 9999 23:59:59 GMT"),
            _item("3", "atom style", "<p>a</p>", "0000-00-00T00:00:00Z"),
            _item("4", "nonsense", "<p>n</p>", "yesterday-ish"),
        ),
        {"1": "zero", "2": "far", "3": "atom style", "4": "nonsense"},
    ),
    "duplicate guids": (
        _feed(_item("1", "first", "<p>a</p>"), _item("1", "second", "<p>b</p>")),
        {"1": "first"},
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_feeds_are_stored_correctly(store: Store, server: FixtureServer, case: str) -> None:
    body, titles = BROKEN[case]
    server.route("/feed", body=body, headers={"Content-Type": "application/rss+xml"})
    add_feeds(store, server, "/feed")
    [outcome] = run_fetch(store, FAST).values()
    assert outcome.error is None
    with store.read() as connection:
        stored = latest_articles(connection, limit=100)
    for article in stored:
        text = article.title + article.content_html + article.content_text + article.excerpt_html
        assert not any(ch in text for ch in "\x00\x01\x08\x1b\x7f")
        assert article.updated.year < 9999
    found = {article.guid: article.title for article in stored}
    for guid, fragment in titles.items():
        assert fragment in found[guid], found
    if case == "duplicate guids":
        assert len(stored) == 1
    if case == "empty titles":
        assert len(stored) == 2


def test_the_same_article_in_two_feeds_is_kept_once_per_feed(
    store: Store, server: FixtureServer
) -> None:
    feed = rss([("shared-guid", "同一篇文章", "<p>转载</p>")])
    server.route("/a", body=feed, headers=RSS_HEADERS)
    server.route("/b", body=feed, headers=RSS_HEADERS)
    add_feeds(store, server, "/a", "/b")
    assert not any(outcome.failed for outcome in run_fetch(store, FAST).values())
    run_fetch(store, FAST)  # and again: still no duplicate
    with store.read() as connection:
        stored = latest_articles(connection)
    assert len(stored) == 2
    assert len({a.source_id for a in stored}) == 2


def test_a_10_mb_entry_is_refused_at_the_cap_or_stored_whole(
    store: Store, server: FixtureServer
) -> None:
    html = "<p>" + ("word " * 200 + "</p><p>") * 11_000 + "</p>"
    body = _feed(_item("big", "big", escape(html)))
    assert len(body) > 10 * 1024 * 1024
    server.route("/big", body=body, headers=RSS_HEADERS)
    add_feeds(store, server, "/big")
    [refused] = run_fetch(store, replace(FAST, max_body_bytes=10 * 1024 * 1024)).values()
    assert "larger than" in refused.error
    [stored] = run_fetch(store, replace(FAST, max_body_bytes=20 * 1024 * 1024)).values()
    assert stored.error is None
    with store.read() as connection:
        [article] = latest_articles(connection)
    assert len(article.content_html) > 10_000_000
    assert len(article.excerpt_html) < 2_000


def test_a_feed_of_100000_entries_is_stored_whole(tmp_path: Path, server: FixtureServer) -> None:
    """With the per-fetch cap and the retention limit lifted (by default the newest 500 are
    kept: tests/hostile/test_runaway.py). On SQLite only: about half a minute of feedparser
    on 2 busy cores."""
    items = "".join(f"<item><guid>{n}</guid><title>t{n}</title></item>" for n in range(100_000))
    server.route("/huge", body=_feed(items), headers=RSS_HEADERS)
    store = open_store(f"sqlite:///{tmp_path / 'huge.db'}")
    try:
        add_feeds(store, server, "/huge")
        settings = replace(
            FAST,
            total_timeout=60,
            read_timeout=30,
            max_body_bytes=10 << 20,
            max_entries_per_fetch=0,
            max_articles_per_source=0,
        )
        [outcome] = run_fetch(store, settings).values()
        assert outcome.error is None
        assert outcome.counts.new == 100_000
        with store.read() as connection:
            assert len(latest_articles(connection, limit=200_000)) == 100_000
    finally:
        store.close()
