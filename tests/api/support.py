"""An app with only the API and admin routes on a real store, and articles to page through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.types import ASGIApp

from incoming.fetch import FetchSettings
from incoming.models import ArticleDraft
from incoming.publish.admin.auth import AdminSettings
from incoming.publish.admin.routes import admin_routes
from incoming.publish.api.routes import api_routes
from incoming.publish.assets import Assets
from incoming.publish.settings import SiteSettings
from incoming.store import schema
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from incoming.store.sources import add_source

SITE = SiteSettings(fetch=FetchSettings(allow_private_addresses=True))
BASE = datetime(2025, 1, 1, tzinfo=UTC)


def open_client(
    app: ASGIApp, *, base_url: str = "http://testserver", client: str = "203.0.113.7"
) -> httpx.AsyncClient:
    """An HTTP client calling the app in-process, as if from address `client`."""
    transport = httpx.ASGITransport(app=app, client=(client, 50000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def make_app(store: Store, admin: AdminSettings | None = None) -> Starlette:
    app = Starlette(routes=[*api_routes(), *admin_routes(admin)])
    app.state.store = store
    app.state.settings = SITE
    app.state.assets = Assets(SITE.light_code_style, SITE.dark_code_style)
    return app


def draft(n: int, *, updated: datetime, topics: tuple[tuple[str, str], ...]) -> ArticleDraft:
    return ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://blog.example.org/{n}",
        title=f"第 {n} 篇 article {n}",
        author="作者",
        language="zh",
        published=updated,
        updated=updated,
        content_html=f"<p>全文 full text {n}</p>",
        content_text=f"全文 full text {n}",
        excerpt_html=f"<p>摘要 {n}</p>",
        content_hash=f"{n:064x}",
        topics=topics,
    )


@dataclass(frozen=True)
class Seeded:
    feed_id: int
    other_id: int
    notes_id: int
    # (id, source_id, updated, topic slugs) of every article, newest update first.
    articles: list[tuple[int, int, datetime, frozenset[str]]]

    def ids(self, *, source: int | None = None, topic: str | None = None) -> list[int]:
        return [
            article_id
            for article_id, source_id, _, slugs in self.articles
            if (source is None or source_id == source) and (topic is None or topic in slugs)
        ]


def seed(store: Store) -> Seeded:
    """45 articles in three sources; updates come three to a timestamp, so ids break the ties."""
    now = datetime.now(UTC)
    with store.write() as connection:
        feed = add_source(
            connection, kind="feed", url="https://a.example.org/feed", now=now, title="甲"
        )
        other = add_source(
            connection, kind="feed", url="https://b.example.org/feed", now=now, title="乙"
        )
        notes = add_source(connection, kind="notes", url="/home/me/notes", now=now, title="notes")
        by_source: dict[int, list[ArticleDraft]] = {feed.id: [], other.id: [], notes.id: []}
        for n in range(45):
            source = (feed, other, notes)[n % 3]
            topics = (("ml", "ML"),) + ((("nlp", "NLP"),) if n % 2 else ())
            by_source[source.id].append(
                draft(n, updated=BASE + timedelta(hours=n // 3), topics=topics)
            )
        for source_id, drafts in by_source.items():
            save_drafts(connection, source_id, drafts, now=now)
    with store.read() as connection:
        rows = connection.execute(
            select(schema.articles.c.id, schema.articles.c.source_id, schema.articles.c.updated)
        ).all()
        tagged = connection.execute(
            select(schema.article_topics.c.article_id, schema.topics.c.slug).join(
                schema.topics, schema.topics.c.id == schema.article_topics.c.topic_id
            )
        ).all()
    slugs: dict[int, set[str]] = {}
    for article_id, slug in tagged:
        slugs.setdefault(article_id, set()).add(slug)
    listed = [
        (article_id, source_id, updated, frozenset(slugs.get(article_id, ())))
        for article_id, source_id, updated in rows
    ]
    listed.sort(key=lambda row: (row[2], row[0]), reverse=True)
    return Seeded(feed.id, other.id, notes.id, listed)
