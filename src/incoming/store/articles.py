"""Articles in the store: saving what a source gave without duplicates, and reading them back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, delete, func, insert, select, update

from incoming.index.documents import document_tokens, index_articles
from incoming.models import ArticleDraft, SaveCounts
from incoming.store import churn
from incoming.store.changes import note_change
from incoming.store.schema import article_topics, articles, sources, topics
from incoming.store.topics import ensure_topics

# Enough for the largest feeds, small enough for SQLite's bound-parameter limit.
LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    source_id: int
    source_title: str
    guid: str | None
    url: str | None
    title: str
    author: str | None
    language: str | None
    published: datetime | None
    updated: datetime
    first_seen: datetime
    excerpt_html: str
    content_html: str
    content_text: str
    gone: bool
    topics: tuple[tuple[str, str], ...]  # (slug, name)


def sort_time(draft: ArticleDraft, *, now: datetime, previous: datetime | None = None) -> datetime:
    """When an entry counts as updated, for the latest-updates order.

    A new entry takes the time its source claims, never later than now (future dates would pin it
    to the top). A changed entry moves up: to its new claimed time if that is later than before,
    else to now, since the feed did not bump its date but readers should see the change.
    """
    claimed = draft.updated or draft.published
    if claimed is not None and claimed > now:
        claimed = now
    if previous is None:
        return claimed or now
    return claimed if claimed is not None and claimed > previous else now


def _row_values(draft: ArticleDraft) -> dict[str, Any]:
    return {
        "guid": draft.guid,
        "url": draft.url,
        "title": draft.title,
        "author": draft.author,
        "language": draft.language,
        "published": draft.published,
        "content_html": draft.content_html,
        "content_text": draft.content_text,
        "excerpt_html": draft.excerpt_html,
        "content_hash": draft.content_hash,
        "gone": False,
    }


def _by_identity(
    connection: Connection, source_id: int, identities: Iterable[str], *columns: Any
) -> list[Row[Any]]:
    """Rows of the source's articles with these identities, queried in bounded chunks."""
    wanted = list(dict.fromkeys(identities))
    rows: list[Row[Any]] = []
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        query = select(*columns).where(
            articles.c.source_id == source_id,
            articles.c.identity.in_(wanted[start : start + LOOKUP_CHUNK]),
        )
        rows.extend(connection.execute(query))
    return rows


def stored_hashes(
    connection: Connection, source_id: int, identities: Iterable[str] | None = None
) -> dict[str, str]:
    """Content hash by identity of the source's articles (only those named, if given)."""
    columns = (articles.c.identity, articles.c.content_hash)
    if identities is None:
        rows = connection.execute(select(*columns).where(articles.c.source_id == source_id))
    else:
        rows = _by_identity(connection, source_id, identities, *columns)
    return {identity: content_hash for identity, content_hash in rows}


def save_drafts(
    connection: Connection,
    source_id: int,
    drafts: Sequence[ArticleDraft],
    *,
    now: datetime,
    unchanged: Sequence[str] = (),
) -> SaveCounts:
    """Insert new entries, update changed ones in place, leave the rest; never duplicate.

    `drafts` are in the source's order (newest first, as feeds list them); they are inserted
    oldest first so that entries sharing a timestamp keep the feed's order on the site.
    `unchanged` names entries the caller found unchanged and did not draft (counted, and
    revived if they had been marked gone).
    """
    unique: dict[str, ArticleDraft] = {}
    for draft in drafts:
        unique.setdefault(draft.identity, draft)  # a duplicate guid in one feed: first wins
    existing = {
        row.identity: row
        for row in _by_identity(connection, source_id, unique, *churn.STATE_COLUMNS)
    }
    untouched = set(unchanged) - unique.keys()
    existing |= churn.reissued_articles(
        connection,
        source_id,
        [draft for draft in unique.values() if draft.identity not in existing],
        taken={known.id for known in existing.values()},
        listed=len(unique) + len(untouched),
    )
    changed = [
        (draft, known)
        for draft in unique.values()
        if (known := existing.get(draft.identity)) is not None
        and (known.content_hash != draft.content_hash or known.identity != draft.identity)
    ]
    kept_places = churn.places_kept(
        connection, changed, listed=len(existing) + len(untouched), now=now
    )
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    revived: list[int] = []
    topic_rows: dict[str, tuple[ArticleDraft, datetime]] = {}
    unchanged_count = 0
    for draft, known in changed:
        if known.id in kept_places:
            updated = known.updated
            unchanged_count += 1
        else:
            updated = sort_time(draft, now=now, previous=known.updated)
        changed_rows.append(
            _row_values(draft)
            | {"article_id": known.id, "identity": draft.identity, "updated": updated}
        )
        topic_rows[draft.identity] = (draft, updated)
    for draft in reversed(unique.values()):
        known = existing.get(draft.identity)
        if known is None:
            updated = sort_time(draft, now=now)
            new_rows.append(
                _row_values(draft)
                | {
                    "source_id": source_id,
                    "identity": draft.identity,
                    "updated": updated,
                    "first_seen": now,
                }
            )
            topic_rows[draft.identity] = (draft, updated)
        elif draft.identity not in topic_rows:
            unchanged_count += 1
            if known.gone:
                revived.append(known.id)
    unchanged_count += len(untouched)
    revived.extend(
        row.id
        for row in _by_identity(connection, source_id, untouched, articles.c.id, articles.c.gone)
        if row.gone
    )

    ids: dict[str, int] = {identity: known.id for identity, known in existing.items()}
    if new_rows:
        inserted = connection.execute(
            insert(articles).returning(
                articles.c.identity, articles.c.id, sort_by_parameter_order=True
            ),
            new_rows,
        )
        ids.update(inserted.all())
    if changed_rows:
        connection.execute(
            update(articles).where(articles.c.id == bindparam("article_id")),
            changed_rows,
        )
    if revived:
        connection.execute(update(articles).where(articles.c.id.in_(revived)).values(gone=False))
    if new_rows or changed_rows or revived:
        note_change(connection)
    _replace_topics(connection, {ids[identity]: pair for identity, pair in topic_rows.items()})
    index_articles(
        connection,
        {
            ids[key]: draft.search_tokens
            or document_tokens(draft.title, draft.content_text, draft.content_html)
            for key, (draft, _) in topic_rows.items()
        },
    )
    return SaveCounts(
        new=len(new_rows), updated=len(changed_rows) - len(kept_places), unchanged=unchanged_count
    )


def _replace_topics(
    connection: Connection, by_article: dict[int, tuple[ArticleDraft, datetime]]
) -> None:
    if not by_article:
        return
    topic_ids = ensure_topics(
        connection, [pair for draft, _ in by_article.values() for pair in draft.topics]
    )
    connection.execute(
        delete(article_topics).where(article_topics.c.article_id.in_(list(by_article)))
    )
    rows = [
        {"article_id": article_id, "topic_id": topic_ids[slug], "updated": updated}
        for article_id, (draft, updated) in by_article.items()
        for slug in dict.fromkeys(slug for slug, _ in draft.topics)
    ]
    if rows:
        connection.execute(insert(article_topics), rows)


def mark_gone(connection: Connection, source_id: int, present: Iterable[str]) -> int:
    """Mark the source's articles whose identity is not in `present` as gone (kept, not deleted)."""
    keep = set(present)
    rows = connection.execute(
        select(articles.c.id, articles.c.identity).where(
            articles.c.source_id == source_id, articles.c.gone.is_(False)
        )
    )
    missing = [article_id for article_id, identity in rows if identity not in keep]
    for start in range(0, len(missing), LOOKUP_CHUNK):
        connection.execute(
            update(articles)
            .where(articles.c.id.in_(missing[start : start + LOOKUP_CHUNK]))
            .values(gone=True)
        )
    if missing:
        note_change(connection)
    return len(missing)


_ARTICLE_COLUMNS = [c for c in articles.c if c.name not in ("identity", "content_hash")]


def _topics_of(connection: Connection, article_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {article_id: [] for article_id in article_ids}
    if not article_ids:
        return found
    query = (
        select(article_topics.c.article_id, topics.c.slug, topics.c.name)
        .join(topics, topics.c.id == article_topics.c.topic_id)
        .where(article_topics.c.article_id.in_(article_ids))
        .order_by(topics.c.name)
    )
    for article_id, slug, name in connection.execute(query):
        found[article_id].append((slug, name))
    return found


def _articles_from(connection: Connection, rows: Sequence[Row[Any]]) -> list[Article]:
    by_id = _topics_of(connection, [row.id for row in rows])
    names = {field.name for field in fields(Article)} - {"topics"}
    return [
        Article(**{name: row._mapping[name] for name in names}, topics=tuple(by_id[row.id]))
        for row in rows
    ]


def latest_articles(
    connection: Connection,
    *,
    source_id: int | None = None,
    topic_slug: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[Article]:
    """Articles newest update first, optionally of one source or one topic."""
    query = select(*_ARTICLE_COLUMNS, sources.c.title.label("source_title")).join(
        sources, sources.c.id == articles.c.source_id
    )
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    if topic_slug is not None:
        query = query.join(article_topics, article_topics.c.article_id == articles.c.id).join(
            topics, and_(topics.c.id == article_topics.c.topic_id, topics.c.slug == topic_slug)
        )
    query = query.order_by(articles.c.updated.desc(), articles.c.id.desc()).limit(limit)
    rows = connection.execute(query.offset(offset)).all()
    return _articles_from(connection, rows)


def get_article(connection: Connection, article_id: int) -> Article | None:
    query = (
        select(*_ARTICLE_COLUMNS, sources.c.title.label("source_title"))
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id == article_id)
    )
    rows = connection.execute(query).all()
    found = _articles_from(connection, rows)
    return found[0] if found else None


def count_articles(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(articles)).scalar_one()
