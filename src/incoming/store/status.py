"""What `incoming status` reports: the backlog, who holds what, failures, recent intake, workers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from incoming.store.leases import backlog, holders
from incoming.store.schema import articles, sources
from incoming.store.workers import WorkerRow, list_workers

RECENT = timedelta(hours=1)
FAILING_SHOWN = 10


@dataclass(frozen=True, slots=True)
class FailingSource:
    id: int
    url: str
    error_count: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Status:
    now: datetime
    sources: int
    due: int
    leased: list[tuple[str, int]]  # (worker, sources it holds)
    failing: int
    worst: list[FailingSource]  # the most failed first
    ingested_last_hour: int
    workers: list[WorkerRow]  # heard from within the last hour


def read_status(connection: Connection, *, now: datetime) -> Status:
    total, failing = connection.execute(
        select(func.count(), func.count().filter(sources.c.error_count > 0)).select_from(sources)
    ).one()
    worst = connection.execute(
        select(sources.c.id, sources.c.url, sources.c.error_count, sources.c.last_error)
        .where(sources.c.error_count > 0)
        .order_by(sources.c.error_count.desc(), sources.c.id)
        .limit(FAILING_SHOWN)
    ).all()
    ingested = connection.execute(
        select(func.count()).select_from(articles).where(articles.c.first_seen >= now - RECENT)
    ).scalar_one()
    return Status(
        now=now,
        sources=total,
        due=backlog(connection, now=now).due,
        leased=list(holders(connection, now=now)),
        failing=failing,
        worst=[FailingSource(*row) for row in worst],
        ingested_last_hour=ingested,
        workers=list_workers(connection, since=now - RECENT),
    )
