"""The API's article list: every filter at once, paged by cursor rather than page number.

The site's pages filter by one source or one topic; the API also combines them and bounds the
update time, so it builds its own id query here and loads the rows with the site's
`articles_by_ids`. A cursor is a key (updated, id): the next page starts strictly after it,
so items added or moved while a client pages never make it skip or repeat one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, literal, select, tuple_

from incoming.store.articles import Article
from incoming.store.queries import articles_by_ids
from incoming.store.schema import article_topics, articles
from incoming.store.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    source_id: int | None = None
    topic_id: int | None = None
    before: datetime | None = None  # updated strictly before
    after: datetime | None = None  # updated strictly after


def article_page(
    connection: Connection,
    chosen: ArticleFilter,
    *,
    after_key: tuple[datetime, int] | None,
    limit: int,
) -> list[Article]:
    """Up to `limit` articles newest update first, starting just after `after_key`."""
    if chosen.topic_id is not None:
        # The topic's covering index gives the order; article_topics.updated mirrors articles.
        updated, article_id = article_topics.c.updated, article_topics.c.article_id
        query = select(article_id).where(article_topics.c.topic_id == chosen.topic_id)
        if chosen.source_id is not None:
            query = query.join(articles, articles.c.id == article_id).where(
                articles.c.source_id == chosen.source_id
            )
    else:
        updated, article_id = articles.c.updated, articles.c.id
        query = select(article_id)
        if chosen.source_id is not None:
            query = query.where(articles.c.source_id == chosen.source_id)
    if chosen.before is not None:
        query = query.where(updated < chosen.before)
    if chosen.after is not None:
        query = query.where(updated > chosen.after)
    if after_key is not None:
        bound = tuple_(literal(after_key[0], UTCDateTime()), literal(after_key[1]))
        query = query.where(tuple_(updated, article_id) < bound)
    query = query.order_by(updated.desc(), article_id.desc()).limit(limit)
    return articles_by_ids(connection, list(connection.execute(query).scalars()))
