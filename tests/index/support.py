"""Articles for the search tests: saved through the store, so the index follows as in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from incoming.models import ArticleDraft
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from incoming.store.schema import articles
from incoming.store.sources import add_source

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Text:
    """What one article says: search reads its title and its plain text."""

    title: str
    body: str
    topics: tuple[tuple[str, str], ...] = ()


def add_feed(store: Store, url: str = "https://example.org/feed", title: str = "") -> int:
    with store.write() as connection:
        return add_source(connection, kind="feed", url=url, title=title, now=NOW).id


def draft(key: str, text: Text, *, age_hours: float = 0) -> ArticleDraft:
    published = NOW - timedelta(hours=age_hours)
    return ArticleDraft(
        identity=f"g:{key}",
        guid=key,
        url=f"https://example.org/{key}",
        title=text.title,
        author=None,
        language=None,
        published=published,
        updated=None,
        content_html=f"<p>{text.body}</p>",
        content_text=text.body,
        excerpt_html=text.body[:100],
        content_hash=f"{key}:{hash(text)}",
        topics=text.topics,
    )


def save(store: Store, source_id: int, texts: Sequence[Text], *, prefix: str = "a") -> list[int]:
    """Save texts as articles, the first the newest; returns their ids in the same order."""
    drafts = [draft(f"{prefix}{n}", text, age_hours=n) for n, text in enumerate(texts)]
    with store.write() as connection:
        save_drafts(connection, source_id, drafts, now=NOW)
        ids = dict(
            connection.execute(
                select(articles.c.identity, articles.c.id).where(
                    articles.c.identity.in_([d.identity for d in drafts])
                )
            ).all()
        )
    return [ids[d.identity] for d in drafts]
