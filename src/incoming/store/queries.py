"""Read queries of the website and API: pages of ids by index, counts, neighbours, indexes.

Every list is read in two steps: the page's ids from a covering index (no table rows touched,
so even a deep OFFSET stays cheap), then the dozen rows themselves by primary key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, literal, select, tuple_

from incoming.store.articles import Article
from incoming.store.schema import article_topics, articles, changes, sources, topics
from incoming.store.sources import Source
from incoming.store.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class Scope:
    """Which articles a list shows: all of them, one source's or one topic's."""

    source_id: int | None = None
    topic_id: int | None = None


ALL = Scope()


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Enough of an article to link to it."""

    id: int
    title: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class SourceSummary:
    source: Source
    article_count: int
    latest_update: datetime | None


@dataclass(frozen=True, slots=True)
class TopicSummary:
    topic: Topic
    article_count: int
    latest_update: datetime | None


@dataclass(frozen=True, slots=True)
class ChangeMarker:
    """What changes whenever anything the site shows changes: the change counter's one row.

    Every writer bumps it in the transaction that changes articles, sources or topics
    (store/changes.py), so any process reading it sees any other process's commits.
    """

    version: int
    changed_at: datetime

    @property
    def token(self) -> str:
        # The time too: a database made anew starts counting again, and must not match.
        return f"{self.version}-{self.changed_at.timestamp():.6f}"

    @property
    def modified(self) -> datetime:
        """When anything the site shows last changed (for Last-Modified)."""
        return self.changed_at


def change_marker(connection: Connection) -> ChangeMarker:
    row = connection.execute(
        select(changes.c.version, changes.c.changed_at).where(changes.c.id == 1)
    ).one()
    return ChangeMarker(*row)


def _ids_in(scope: Scope) -> Select[Any]:
    """Ids of the scope's articles, newest update first, read from one covering index."""
    if scope.topic_id is not None:
        return (
            select(article_topics.c.article_id)
            .where(article_topics.c.topic_id == scope.topic_id)
            .order_by(article_topics.c.updated.desc(), article_topics.c.article_id.desc())
        )
    query = select(articles.c.id).order_by(articles.c.updated.desc(), articles.c.id.desc())
    if scope.source_id is not None:
        query = query.where(articles.c.source_id == scope.source_id)
    return query


def count_in(connection: Connection, scope: Scope) -> int:
    if scope.topic_id is not None:
        query = select(func.count()).where(article_topics.c.topic_id == scope.topic_id)
    else:
        query = select(func.count()).select_from(articles)
        if scope.source_id is not None:
            query = query.where(articles.c.source_id == scope.source_id)
    return connection.execute(query).scalar_one()


def page_ids(connection: Connection, scope: Scope, *, limit: int, offset: int = 0) -> list[int]:
    return list(connection.execute(_ids_in(scope).limit(limit).offset(offset)).scalars())


def ids_before(
    connection: Connection, scope: Scope, key: tuple[datetime, int], *, limit: int
) -> list[int]:
    """Ids strictly after `key` (updated, id) in newest-first order: keyset pagination."""
    updated, article_id = key
    if scope.topic_id is not None:
        columns = (article_topics.c.updated, article_topics.c.article_id)
    else:
        columns = (articles.c.updated, articles.c.id)
    bound = tuple_(literal(updated, UTCDateTime()), literal(article_id))
    query = _ids_in(scope).where(tuple_(*columns) < bound).limit(limit)
    return list(connection.execute(query).scalars())


_ARTICLE_COLUMNS = [c for c in articles.c if c.name not in ("identity", "content_hash")]
_BULKY = ("content_html", "content_text")


def articles_by_ids(
    connection: Connection, ids: Sequence[int], *, with_content: bool = True
) -> list[Article]:
    """The articles with these ids, in the order given (missing ids are left out).

    Without content, `content_html` and `content_text` are empty strings: lists show only
    excerpts, and full bodies are most of an article's bytes.
    """
    if not ids:
        return []
    columns = [c for c in _ARTICLE_COLUMNS if with_content or c.name not in _BULKY]
    rows = connection.execute(
        select(*columns, sources.c.title.label("source_title"))
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id.in_(ids))
    ).all()
    topic_rows = connection.execute(
        select(article_topics.c.article_id, topics.c.slug, topics.c.name)
        .join(topics, topics.c.id == article_topics.c.topic_id)
        .where(article_topics.c.article_id.in_(ids))
        .order_by(topics.c.name)
    ).all()
    by_article: dict[int, list[tuple[str, str]]] = {}
    for article_id, slug, name in topic_rows:
        by_article.setdefault(article_id, []).append((slug, name))
    empty = {} if with_content else dict.fromkeys(_BULKY, "")
    found = {
        row.id: Article(
            **empty,
            **row._asdict(),
            topics=tuple(by_article.get(row.id, ())),
        )
        for row in rows
    }
    return [found[article_id] for article_id in ids if article_id in found]


def neighbours(
    connection: Connection, article: Article
) -> tuple[ArticleRef | None, ArticleRef | None]:
    """The articles just newer and just older than this one in the latest-updates order."""
    key = tuple_(articles.c.updated, articles.c.id)
    bound = tuple_(literal(article.updated, UTCDateTime()), literal(article.id))
    columns = (articles.c.id, articles.c.title, articles.c.updated)
    newer = connection.execute(
        select(*columns)
        .where(key > bound)
        .order_by(articles.c.updated.asc(), articles.c.id.asc())
        .limit(1)
    ).first()
    older = connection.execute(
        select(*columns)
        .where(key < bound)
        .order_by(articles.c.updated.desc(), articles.c.id.desc())
        .limit(1)
    ).first()
    return (
        ArticleRef(*newer) if newer is not None else None,
        ArticleRef(*older) if older is not None else None,
    )


def get_source(connection: Connection, source_id: int) -> Source | None:
    row = connection.execute(select(sources).where(sources.c.id == source_id)).first()
    return Source.from_row(row) if row is not None else None


def get_topic(connection: Connection, slug: str) -> Topic | None:
    row = connection.execute(
        select(topics.c.id, topics.c.slug, topics.c.name).where(topics.c.slug == slug)
    ).first()
    return Topic(*row) if row is not None else None


def source_summaries(connection: Connection) -> list[SourceSummary]:
    """Every source with its article count and newest update, by name."""
    stats = {
        source_id: (count, newest)
        for source_id, count, newest in connection.execute(
            select(articles.c.source_id, func.count(), func.max(articles.c.updated)).group_by(
                articles.c.source_id
            )
        )
    }
    listed = [Source.from_row(row) for row in connection.execute(select(sources))]
    listed.sort(key=lambda source: (source.display_name.casefold(), source.id))
    return [SourceSummary(source, *stats.get(source.id, (0, None))) for source in listed]


def topic_summaries(connection: Connection) -> list[TopicSummary]:
    """Every topic that has articles, with its count and newest update, by name."""
    query = (
        select(
            topics.c.id,
            topics.c.slug,
            topics.c.name,
            func.count(),
            func.max(article_topics.c.updated),
        )
        .join(article_topics, article_topics.c.topic_id == topics.c.id)
        .group_by(topics.c.id, topics.c.slug, topics.c.name)
    )
    found = [
        TopicSummary(Topic(topic_id, slug, name), count, newest)
        for topic_id, slug, name, count, newest in connection.execute(query)
    ]
    found.sort(key=lambda summary: (summary.topic.name.casefold(), summary.topic.slug))
    return found
