"""The per-fetch entry cap: only the newest entries are parsed, in the feed's order."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incoming.parse import parse_feed
from incoming.parse.newest import keep_newest, newest_positions, trim_xml_entries

DAY = datetime(2025, 6, 1, tzinfo=UTC)


def _rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t&nbsp;x</title>'
        f"{''.join(items)}<link>https://example.org/</link></channel></rss>"
    ).encode()


def _item(n: int, date: str | None = None, field: str = "pubDate") -> str:
    dated = f"<{field}>{date}</{field}>" if date else ""
    return f"<item><guid>{n}</guid><title>entry {n}&nbsp;!</title>{dated}</item>"


def _rfc822(days: int) -> str:
    return (DAY + timedelta(days=days)).strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_newest_positions_rank_dated_first_and_keep_order() -> None:
    dates = [DAY, None, DAY + timedelta(days=2), None, DAY + timedelta(days=1)]
    assert newest_positions(dates, 2) == [2, 4]
    assert newest_positions(dates, 4) == [0, 1, 2, 4]
    assert newest_positions(dates, 0) == [0, 1, 2, 3, 4]
    assert newest_positions([None] * 5, 2) == [0, 1]  # undated: the feed's order
    assert keep_newest("abcde", 2, lambda c: dates["abcde".index(c)]) == (["c", "e"], 3)


def test_an_rss_feed_listed_oldest_first_keeps_its_newest() -> None:
    body = _rss(*(_item(n, _rfc822(n)) for n in range(10)))
    feed = parse_feed(body, url="https://example.org/feed", max_entries=3)
    assert [e.guid for e in feed.entries] == ["7", "8", "9"]
    assert feed.dropped_entries == 7
    assert feed.title.startswith("t")  # an undeclared &nbsp; does not stop the cut
    assert feed.site_url == "https://example.org/"  # what follows the entries is kept
    whole = parse_feed(body, url="https://example.org/feed")
    assert len(whole.entries) == 10
    assert whole.dropped_entries == 0


def test_updated_dates_count_before_published_and_undated_entries_last() -> None:
    items = [
        _item(0, "2025-01-01T00:00:00Z", "updated"),
        _item(1),  # undated
        _item(2, "2024-01-01T00:00:00Z", "dc:date"),
        _item(3, "2026-01-01T00:00:00Z", "updated"),
    ]
    feed = parse_feed(_rss(*items), url="https://example.org/feed", max_entries=2)
    assert [e.guid for e in feed.entries] == ["0", "3"]
    feed = parse_feed(_rss(*items), url="https://example.org/feed", max_entries=3)
    assert [e.guid for e in feed.entries] == ["0", "2", "3"]


def test_atom_entries_with_a_prefix_are_cut_too() -> None:
    entries = "".join(
        f"<a:entry><a:id>urn:{n}</a:id><a:title>e{n}</a:title>"
        f"<a:updated>2025-0{n + 1}-01T00:00:00Z</a:updated></a:entry>"
        for n in range(5)
    )
    body = (
        f'<a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>atom</a:title>{entries}</a:feed>'
    ).encode()
    trimmed, dropped = trim_xml_entries(body, 2)
    assert dropped == 3
    assert trimmed.count(b"<a:entry>") == 2
    feed = parse_feed(body, url="https://example.org/atom", max_entries=2)
    assert [e.guid for e in feed.entries] == ["urn:3", "urn:4"]


def test_a_broken_feed_is_cut_after_the_forgiving_parse() -> None:
    body = _rss(*(_item(n, _rfc822(n)) for n in range(6))).replace(b"</channel>", b"")
    assert trim_xml_entries(body, 2) == (body, 0)  # expat cannot read it: left whole
    feed = parse_feed(body, url="https://example.org/feed", max_entries=2)
    assert [e.guid for e in feed.entries] == ["4", "5"]
    assert feed.dropped_entries == 4


def test_a_json_feed_keeps_its_newest_items() -> None:
    items = [
        {"id": str(n), "content_text": "x", "date_published": f"2025-0{n + 1}-01T00:00:00Z"}
        for n in range(6)
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items}).encode()
    feed = parse_feed(body, url="https://example.org/feed.json", max_entries=2)
    assert [e.guid for e in feed.entries] == ["4", "5"]
    assert feed.dropped_entries == 4


@pytest.mark.parametrize(
    "name", ["feeds/zh/rodel-reader/v2ex_atom.xml", "feeds/zh/rodel-reader/meituan.xml"]
)
def test_a_real_feed_cut_holds_the_newest_entries_of_the_whole(corpus: Path, name: str) -> None:
    body = (corpus / name).read_bytes()
    whole = parse_feed(body, url="https://example.org/feed")
    newest, dropped = keep_newest(whole.entries, 4, lambda e: e.updated or e.published)
    cut = parse_feed(body, url="https://example.org/feed", max_entries=4)
    assert cut.entries == tuple(newest)
    assert cut.dropped_entries == dropped == len(whole.entries) - 4
