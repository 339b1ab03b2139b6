"""The whole way from a served feed or a notes folder to stored articles, on both databases."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from incoming.errors import FetchError, NotAFeedError, SourceError
from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import count_articles, latest_articles
from incoming.store.engine import Store
from incoming.store.sources import list_sources
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

LOCAL = FetchSettings(allow_private_addresses=True)
ITEMS = [
    ("a3", "Transformer 注意力机制", r"<p>注意力 \(\mathrm{softmax}(QK^\top)\) 的计算。</p>"),
    ("a2", "VQ-VAE 笔记", "<p>离散的 codebook。<script>alert(1)</script></p>"),
    ("a1", "Word2Vec", "<p>Skip-gram 与负采样。</p>"),
]


def add(store: Store, target: str, topic: str | None = None) -> service.Added:
    return asyncio.run(service.add_source(store, target, topic=topic, fetch_settings=LOCAL))


def fetch(store: Store, *refs: str) -> list:
    return asyncio.run(service.fetch_sources(store, list(refs) or None, fetch_settings=LOCAL))


def titles(store: Store) -> list[str]:
    with store.read() as connection:
        return [a.title for a in latest_articles(connection, limit=100)]


def test_feed_is_added_cleaned_and_refetched_without_duplicates(
    store: Store, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS | {"ETag": '"v1"'})
    added = add(store, server.url("/feed.xml"), topic="ＮＬＰ")
    assert added.counts.new == 3
    assert added.source.title == "机器学习笔记"
    assert titles(store) == ["Transformer 注意力机制", "VQ-VAE 笔记", "Word2Vec"]
    with store.read() as connection:
        top = latest_articles(connection, limit=1)[0]
        vq = latest_articles(connection, limit=2)[1]
    assert "<math" in top.content_html
    assert "annotation" in top.content_html
    assert "<script" not in vq.content_html
    assert top.topics == (("nlp", "ＮＬＰ"),) or top.topics[0][0] == "nlp"

    [outcome] = fetch(store)  # the server answers 304 to the stored ETag
    assert outcome.not_modified
    assert outcome.error is None

    changed = [(*ITEMS[2][:2], "<p>Skip-gram、CBOW 与负采样。</p>"), *ITEMS[:2]]
    server.route("/feed.xml", body=rss(changed[1:] + changed[:1]), headers=RSS_HEADERS)
    [outcome] = fetch(store)
    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.unchanged) == (0, 1, 2)
    assert titles(store)[0] == "Word2Vec"  # an update moves it up

    server.route("/feed.xml", body=rss(ITEMS[:1]), headers=RSS_HEADERS)
    fetch(store)
    with store.read() as connection:
        assert count_articles(connection) == 3  # entries that left the feed stay stored


def test_html_page_leads_to_its_feed(store: Store, server: FixtureServer) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    page = '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
    server.route("/", body=page.encode(), headers={"Content-Type": "text/html"})
    added = add(store, server.url("/"))
    assert added.source.url == server.url("/feed.xml")
    assert added.counts.new == 3


def test_page_without_feed_changes_nothing(store: Store, server: FixtureServer) -> None:
    server.route(
        "/", body=b"<html><body>hello</body></html>", headers={"Content-Type": "text/html"}
    )
    with pytest.raises(NotAFeedError):
        add(store, server.url("/"))
    with store.read() as connection:
        assert list_sources(connection) == []


def test_unreachable_url_changes_nothing(store: Store, server: FixtureServer) -> None:
    server.route("/gone", status=404)
    with pytest.raises(FetchError, match="404"):
        add(store, server.url("/gone"))
    with store.read() as connection:
        assert list_sources(connection) == []


def test_private_addresses_are_refused_by_default(store: Store, server: FixtureServer) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        asyncio.run(
            service.add_source(
                store, server.url("/feed.xml"), topic=None, fetch_settings=FetchSettings()
            )
        )


def test_permanent_redirect_updates_the_stored_url(store: Store, server: FixtureServer) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    add(store, server.url("/feed.xml"))
    server.route("/new.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    server.route("/feed.xml", status=301, headers={"Location": "/new.xml"})
    [outcome] = fetch(store)
    assert outcome.error is None
    with store.read() as connection:
        assert [s.url for s in list_sources(connection)] == [server.url("/new.xml")]


def test_failures_are_recorded_and_others_go_on(store: Store, server: FixtureServer) -> None:
    server.route("/a.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    server.route("/b.xml", body=rss(ITEMS[:1], title="B"), headers=RSS_HEADERS)
    add(store, server.url("/a.xml"))
    add(store, server.url("/b.xml"))
    server.route("/a.xml", status=500)
    outcomes = {o.name: o for o in fetch(store)}
    assert outcomes["机器学习笔记"].failed
    assert "500" in (outcomes["机器学习笔记"].error or "")
    assert not outcomes["B"].failed
    with store.read() as connection:
        failing = [s for s in list_sources(connection) if s.error_count]
    assert len(failing) == 1
    assert failing[0].last_error
    assert failing[0].next_check_at


def test_gbk_feed_is_stored_without_mojibake(store: Store, server: FixtureServer) -> None:
    feed = rss(ITEMS).decode().replace('encoding="utf-8"', 'encoding="gbk"').encode("gbk")
    server.route("/gbk.xml", body=feed, headers={"Content-Type": "application/rss+xml"})
    add(store, server.url("/gbk.xml"))
    assert titles(store)[0] == "Transformer 注意力机制"


NOTE = """---
title: 重参数技巧
date: 2025-03-14
tags: [生成模型, nlp]
---
把采样写成 $z = \\mu + \\sigma \\epsilon$，梯度就能传回去。

```python
z = mu + sigma * torch.randn_like(sigma)
```
"""


def test_notes_folder_tracks_edits_additions_and_deletions(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text(NOTE, encoding="utf-8")
    (folder / "b.md").write_text("# Word2Vec\n\nSkip-gram.\n", encoding="utf-8")
    added = add(store, str(folder))
    assert added.counts.new == 2
    with store.read() as connection:
        note = next(a for a in latest_articles(connection) if a.title == "重参数技巧")
    assert "<math" in note.content_html
    assert 'class="language-python"' in note.content_html
    assert {slug for slug, _ in note.topics} == {"生成模型", "nlp"}

    (folder / "a.md").write_text(NOTE.replace("梯度", "梯度（gradient）"), encoding="utf-8")
    (folder / "b.md").unlink()
    (folder / "c.md").write_text("# DPO\n\nDirect preference optimization.\n", encoding="utf-8")
    [outcome] = fetch(store)
    assert (outcome.counts.new, outcome.counts.updated, outcome.counts.gone) == (1, 1, 1)
    with store.read() as connection:
        by_title = {a.title: a for a in latest_articles(connection)}
    assert by_title["Word2Vec"].gone
    assert not by_title["DPO"].gone


def test_missing_folder_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="neither"):
        add(store, str(tmp_path / "nope"))


def test_opml_round_trip(store: Store) -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
      <outline text="NLP"><outline type="rss" text="A" xmlUrl="https://a.example/feed"/>
        <outline text="LLM"><outline type="rss" text="B" xmlUrl="https://b.example/rss"/></outline>
      </outline><outline type="rss" text="C" xmlUrl="https://c.example/atom"/></body></opml>"""
    report = service.import_opml(store, opml)
    assert len(report.added) == 3
    assert service.import_opml(store, opml).skipped == [
        "https://a.example/feed",
        "https://b.example/rss",
        "https://c.example/atom",
    ]
    with store.read() as connection:
        topics = {s.url: s.topic for s in list_sources(connection)}
    assert topics == {
        "https://a.example/feed": "NLP",
        "https://b.example/rss": "LLM",
        "https://c.example/atom": None,
    }
    exported = service.export_opml(store)
    assert b"https://b.example/rss" in exported
    with pytest.raises(SourceError):
        service.import_opml(store, b"not xml at all")


def test_opml_outlines_that_are_not_web_urls_are_refused(store: Store) -> None:
    opml = b"""<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>
      <outline type="rss" text="A" xmlUrl="javascript:alert(1)"/>
      <outline type="rss" text="B" xmlUrl="file:///etc/passwd"/>
      <outline type="rss" text="C" xmlUrl="http://[::1/x"/>
      <outline type="rss" text="D" xmlUrl="https://d.example/feed" htmlUrl="javascript:alert(1)"/>
      </body></opml>"""
    report = service.import_opml(store, opml)
    assert report.refused == ["javascript:alert(1)", "file:///etc/passwd", "http://[::1/x"]
    with store.read() as connection:
        [source] = list_sources(connection)
    assert (source.url, source.site_url) == ("https://d.example/feed", None)


@pytest.mark.parametrize("url", ["http://[::1/x", "https://", "http://host:port/feed"])
def test_malformed_urls_are_named(store: Store, url: str) -> None:
    with pytest.raises(SourceError, match="not a valid URL"):
        add(store, url)
