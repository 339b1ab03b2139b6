"""A site on a real store, filled through the real cleaning pipeline, and a client to call it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event
from starlette.types import ASGIApp

from incoming.models import ParsedEntry
from incoming.publish.app import create_app
from incoming.publish.hosts import LOOPBACK_HOSTS
from incoming.publish.settings import SiteSettings
from incoming.sources.prepare import make_draft
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from incoming.store.queries import ALL, page_ids
from incoming.store.sources import add_source

# Every request sees the store as it is now: tests change it between requests.
# The in-process client's Host (httpx, as Starlette's TestClient) and live servers' (loopback).
TEST_HOSTS = ("testserver", *LOOPBACK_HOSTS)
SETTINGS = SiteSettings(refresh=False, marker_ttl_seconds=0, allowed_hosts=TEST_HOSTS)
BASE = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
TOPICS = (("Machine Learning",), ("NLP", "深度学习"), ())
RICH_TITLE = "Attention 机制详解: Transformer"
RICH_HTML = """
<h1>Attention</h1>
<p>Scaled dot-product attention \\(\\mathrm{softmax}(QK^T/\\sqrt{d_k})V\\) 是核心。</p>
<h2>背景 Background</h2>
<p>序列模型需要处理长距离依赖。</p>
<p>\\[\\sum_{i=1}^{n} \\alpha_i v_i\\]</p>
<h2>Method</h2>
<h3>Multi-head</h3>
<pre><code class="language-python">def attention(q, k, v):
    weights = softmax(q @ k.T / math.sqrt(k.shape[-1]))  # scaled
    return weights @ v
</code></pre>
<h2>Results</h2>
<p><img src="https://example.org/figure.png" alt="BLEU by model size"></p>
"""


@dataclass(frozen=True, slots=True)
class Seeded:
    feed_source: int
    notes_source: int
    newest_first: list[int]  # every article id, in the latest-updates order
    rich: int  # the newest article: math, code, sections


def entry(n: int, *, title: str | None = None, html: str | None = None) -> ParsedEntry:
    moment = BASE + timedelta(hours=n)
    return ParsedEntry(
        guid=f"post-{n}",
        url=f"https://blog.example.org/posts/{n}",
        title=title or f"第 {n} 篇: notes on models {n}",
        content_html=html or f"<p>正文 {n}: gradient descent and <em>attention</em>.</p>",
        author="李雷" if n % 2 else "Ada",
        language=None,
        published=moment,
        updated=moment,
        categories=TOPICS[n % len(TOPICS)],
    )


def save_entries(
    store: Store, source_id: int, entries: list[ParsedEntry], topic: str | None = None
) -> None:
    drafts = [
        make_draft(item, source_topic=topic, content_hash=item.guid or "") for item in entries
    ]
    with store.write() as connection:
        save_drafts(connection, source_id, drafts, now=BASE + timedelta(days=30))


def seed(store: Store, count: int = 29) -> Seeded:
    """`count` plain articles over two sources, then the rich one on top: 30 by default."""
    with store.write() as connection:
        feed = add_source(
            connection,
            kind="feed",
            url="https://blog.example.org/feed.xml",
            now=BASE,
            title="Example Blog",
            site_url="https://blog.example.org/",
            topic="Research",
        )
        notes = add_source(connection, kind="notes", url="/srv/notes", now=BASE, title="Notes")
    save_entries(store, feed.id, [entry(n) for n in range(count) if n % 3], "Research")
    save_entries(store, notes.id, [entry(n) for n in range(count) if not n % 3])
    save_entries(store, feed.id, [entry(count, title=RICH_TITLE, html=RICH_HTML)], "Research")
    with store.read() as connection:
        ids = page_ids(connection, ALL, limit=count + 1)
    return Seeded(feed.id, notes.id, ids, ids[0])


def open_client(app: ASGIApp, *, raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def site_client(store: Store, settings: SiteSettings = SETTINGS) -> httpx.AsyncClient:
    return open_client(create_app(store, settings))


async def assert_second_request_costs_no_query(
    store: Store, path: str, params: dict[str, str] | None = None
) -> None:
    """While the marker is not due, asking for a page again is answered without the database."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        async with site_client(store, replace(SETTINGS, marker_ttl_seconds=600)) as client:
            first = await client.get(path, params=params)
            count = len(statements)
            second = await client.get(path, params=params)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    assert count > 0
    assert len(statements) == count
    assert second.content == first.content
