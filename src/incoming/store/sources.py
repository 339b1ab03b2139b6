"""Sources in the store: what to fetch, and the state of fetching it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from incoming.errors import SourceExistsError, SourceNotFoundError
from incoming.store.changes import note_change
from incoming.store.conflicts import insert_on_conflict
from incoming.store.hosts import url_host
from incoming.store.schema import articles, sources


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    kind: str
    url: str
    title: str
    site_url: str | None
    topic: str | None
    etag: str | None
    last_modified: str | None
    interval_seconds: int
    ttl_seconds: int | None
    next_check_at: datetime | None
    error_count: int
    last_error: str | None
    last_error_at: datetime | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    created_at: datetime
    host: str | None
    lease_owner: str | None
    lease_until: datetime | None
    content_format: str

    @classmethod
    def from_row(cls, row: Row[Any]) -> Source:
        mapping = row._mapping
        return cls(**{field.name: mapping[field.name] for field in fields(cls)})

    @property
    def display_name(self) -> str:
        return self.title or self.url


def add_source(
    connection: Connection,
    *,
    kind: str,
    url: str,
    now: datetime,
    title: str = "",
    site_url: str | None = None,
    topic: str | None = None,
    content_format: str = "auto",
) -> Source:
    """Store a new source, due at once; SourceExistsError if its URL or path is stored already."""
    try:
        with connection.begin_nested():
            row = connection.execute(
                insert(sources)
                .values(
                    kind=kind,
                    url=url,
                    title=title,
                    site_url=site_url,
                    topic=topic,
                    content_format=content_format,
                    created_at=now,
                    next_check_at=now,
                    host=url_host(url) if kind == "feed" else None,
                )
                .returning(*sources.c)
            ).one()
    except IntegrityError as exc:
        raise SourceExistsError(f"{url} is already a source") from exc
    note_change(connection)
    return Source.from_row(row)


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str
    title: str
    site_url: str | None
    topic: str | None


def add_feeds(connection: Connection, feeds: Sequence[NewFeed], *, now: datetime) -> list[Source]:
    """Store many new feeds in one statement (an OPML import's batch), each due at once; a feed
    whose URL is stored already, by this list or by another writer, is left out."""
    if not feeds:
        return []
    rows = [
        {
            "kind": "feed",
            "url": feed.url,
            "title": feed.title,
            "site_url": feed.site_url,
            "topic": feed.topic,
            "created_at": now,
            "next_check_at": now,
            "host": url_host(feed.url),
        }
        for feed in feeds
    ]
    statement = (
        insert_on_conflict(connection, sources)
        .on_conflict_do_nothing(index_elements=[sources.c.url])
        .returning(*sources.c, sort_by_parameter_order=True)
    )
    added = [Source.from_row(row) for row in connection.execute(statement, rows)]
    if added:
        note_change(connection)
    return added


def find_source(connection: Connection, reference: str) -> Source:
    """A source by id or by URL/path, as the command line names it."""
    condition = sources.c.url == reference
    if reference.isdigit():
        condition = condition | (sources.c.id == int(reference))
    row = connection.execute(select(sources).where(condition).order_by(sources.c.id)).first()
    if row is None:
        raise SourceNotFoundError(f"no source {reference!r} (see `incoming sources`)")
    return Source.from_row(row)


def _due(before: datetime) -> ColumnElement[bool]:
    return (sources.c.next_check_at.is_(None)) | (sources.c.next_check_at <= before)


def list_sources(connection: Connection, *, due_before: datetime | None = None) -> list[Source]:
    query = select(sources).order_by(sources.c.id)
    if due_before is not None:
        query = query.where(_due(due_before))
    return [Source.from_row(row) for row in connection.execute(query)]


def count_due_sources(connection: Connection, *, now: datetime | None = None) -> int:
    """How many sources are due for a check now: the depth of the fetch queue."""
    query = select(func.count()).select_from(sources).where(_due(now or datetime.now(UTC)))
    return connection.execute(query).scalar_one()


def article_counts(connection: Connection) -> dict[int, int]:
    """Articles stored per source id."""
    query = select(articles.c.source_id, func.count()).group_by(articles.c.source_id)
    return {source_id: count for source_id, count in connection.execute(query)}


def remove_source(connection: Connection, source_id: int) -> int:
    """Delete a source with its articles (an explicit user request); returns articles removed."""
    removed = connection.execute(
        select(func.count()).select_from(articles).where(articles.c.source_id == source_id)
    ).scalar_one()
    connection.execute(delete(articles).where(articles.c.source_id == source_id))
    connection.execute(delete(sources).where(sources.c.id == source_id))
    note_change(connection)
    return removed


def lock_source(connection: Connection, source: Source) -> bool:
    """Serialize writers of one source: a row lock on PostgreSQL; SQLite's writes are serial.

    False if the source read before a fetch is no longer stored: removed, or removed and added
    again (another row, created later) while the fetch ran. Its result must then be dropped.
    """
    created_at = connection.execute(
        select(sources.c.created_at).where(sources.c.id == source.id).with_for_update()
    ).scalar_one_or_none()
    return created_at == source.created_at


_SHOWN = ("title", "site_url", "url")  # what record_success may change that pages show


def record_success(
    connection: Connection,
    source_id: int,
    *,
    now: datetime,
    next_check_at: datetime,
    title: str | None = None,
    site_url: str | None = None,
    url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    ttl_seconds: int | None = None,
) -> None:
    """A fetch or import worked: keep its validators and scheduling hint, reset the backoff.

    A new title, site URL or feed URL changes what the site shows, and is noted as a change.
    """
    values: dict[str, Any] = {
        "etag": etag,
        "last_modified": last_modified,
        "ttl_seconds": ttl_seconds,
        "next_check_at": next_check_at,
        "error_count": 0,
        "last_error": None,
        "last_error_at": None,
        "last_checked_at": now,
        "last_success_at": now,
    }
    if title:
        values["title"] = title
    if site_url:
        values["site_url"] = site_url
    if url and connection.execute(select(sources.c.id).where(sources.c.url == url)).first() is None:
        values["url"] = url  # a permanent redirect; kept only if no other source has that URL
        values["host"] = url_host(url)
    shown = [sources.c[name] for name in _SHOWN if name in values]
    if shown:
        before = connection.execute(select(*shown).where(sources.c.id == source_id)).first()
        if before is not None and tuple(before) != tuple(values[c.name] for c in shown):
            note_change(connection)
    connection.execute(update(sources).where(sources.c.id == source_id).values(**values))


def record_failure(
    connection: Connection, source_id: int, *, now: datetime, next_check_at: datetime, error: str
) -> None:
    """A fetch failed: keep the reason for the user and count it for the backoff."""
    connection.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(
            error_count=sources.c.error_count + 1,
            last_error=error,
            last_error_at=now,
            last_checked_at=now,
            next_check_at=next_check_at,
        )
    )
