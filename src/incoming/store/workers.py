"""Fetch workers in the store: a row each, with a heartbeat and counters, for `incoming status`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from incoming.store.schema import workers

FORGET_AFTER = timedelta(days=1)
"""Rows of workers silent for this long are deleted when a worker starts."""


@dataclass(frozen=True, slots=True)
class WorkerRow:
    name: str
    started_at: datetime
    heartbeat_at: datetime
    stopped_at: datetime | None
    fetched: int
    failed: int
    new_articles: int

    @property
    def per_minute(self) -> float:
        """Sources fetched per minute over the worker's life so far."""
        seconds = (self.heartbeat_at - self.started_at).total_seconds()
        return 60 * self.fetched / seconds if seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Counters:
    fetched: int = 0
    failed: int = 0
    new_articles: int = 0


def register_worker(connection: Connection, name: str, *, now: datetime) -> None:
    connection.execute(delete(workers).where(workers.c.heartbeat_at < now - FORGET_AFTER))
    connection.execute(insert(workers).values(name=name, started_at=now, heartbeat_at=now))


def beat(
    connection: Connection, name: str, counters: Counters, *, now: datetime, stopped: bool = False
) -> None:
    """Record that the worker is alive (or has stopped) and what it has done so far."""
    values = {f.name: getattr(counters, f.name) for f in fields(Counters)}
    if stopped:
        values["stopped_at"] = now
    connection.execute(
        update(workers).where(workers.c.name == name).values(heartbeat_at=now, **values)
    )


def list_workers(connection: Connection, *, since: datetime) -> list[WorkerRow]:
    """Workers heard from since `since`, the longest running first."""
    query = select(workers).where(workers.c.heartbeat_at >= since).order_by(workers.c.started_at)
    return [WorkerRow(**row._asdict()) for row in connection.execute(query)]
