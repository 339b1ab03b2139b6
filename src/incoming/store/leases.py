"""Leases: which worker is fetching which source, so that many workers share them without overlap.

A worker claims due sources in one short transaction that sets `lease_owner` and `lease_until`;
it renews its leases while it works (its heartbeat), and the write that records a source's
outcome clears the lease if that worker still holds it. A worker that dies stops renewing:
after `lease_until` its sources are free again and another worker claims them.

Per-host politeness across processes: a claim takes a source only while fewer than `per_host`
unexpired leases exist for its host, counting every worker's. Since each leased source makes
one request at a time, no host sees more than `per_host` requests at once from all workers
together (a redirect to another host is counted against the host first asked, not that
one). For that count to hold, claims are serialized (a transaction-scoped advisory lock on
PostgreSQL; SQLite serializes every write anyway); they take milliseconds, while fetching,
parsing and saving run in parallel. Candidate rows are locked `FOR UPDATE SKIP LOCKED`, so a
claim never waits for a source that is being written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    or_,
    select,
    text,
    update,
)

from incoming.store.schema import sources
from incoming.store.sources import Source

# Any constant works: it names the lock that serializes claims across processes.
CLAIM_LOCK_ID = 0x1C0_1EA5
POOL_PER_CLAIM = 50
POOL_MIN = 1000


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(sources.c.lease_until.is_(None), sources.c.lease_until <= now)


def _due(now: datetime, due_before: datetime) -> ColumnElement[bool]:
    return and_(
        or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= due_before),
        _free(now),
    )


def claim_due(
    connection: Connection,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    limit: int,
    per_host: int | None,
    due_before: datetime | None = None,
) -> list[Source]:
    """Lease up to `limit` sources due by `due_before` (default now), oldest due first.

    Call it in a write transaction of its own; the sources returned carry the new lease.
    """
    if limit < 1:
        return []
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": CLAIM_LOCK_ID})
    ids = _candidates(connection, now, due_before or now, limit, per_host)
    if not ids:
        return []
    locked = list(
        connection.execute(
            select(sources.c.id)
            .where(sources.c.id.in_(ids), _due(now, due_before or now))
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if not locked:
        return []
    rows = connection.execute(
        update(sources)
        .where(sources.c.id.in_(locked))
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(*sources.c)
    ).all()
    return sorted((Source.from_row(row) for row in rows), key=lambda s: ids.index(s.id))


def _candidates(
    connection: Connection, now: datetime, due_before: datetime, limit: int, per_host: int | None
) -> list[int]:
    """Ids of due, free sources, oldest due first, leaving each host within `per_host` leases.

    Hosts are ranked within the POOL_PER_CLAIM × `limit` sources due first among hosts with a
    free slot (an index range), so a claim costs the same with a million sources due, and a
    host with thousands due cannot hide the others: once its slots are taken it is left out.
    """
    order = (sources.c.next_check_at, sources.c.id)
    due = select(sources.c.id, sources.c.host, sources.c.next_check_at).where(_due(now, due_before))
    if per_host is None:
        return list(connection.execute(due.order_by(*order).limit(limit)).scalars())
    leased = (
        select(sources.c.host, func.count().label("held"))
        .where(sources.c.lease_until > now, sources.c.host.is_not(None))
        .group_by(sources.c.host)
        .subquery("leased")
    )
    full = select(leased.c.host).where(leased.c.held >= per_host)
    pool = (
        due.where(or_(sources.c.host.is_(None), sources.c.host.not_in(full)))
        .order_by(*order)
        .limit(max(limit * POOL_PER_CLAIM, POOL_MIN))
        .subquery()
    )
    ranked = select(
        pool.c.id,
        pool.c.host,
        pool.c.next_check_at,
        func.row_number()
        .over(partition_by=pool.c.host, order_by=(pool.c.next_check_at, pool.c.id))
        .label("rank"),
    ).subquery()
    query = (
        select(ranked.c.id)
        .outerjoin(leased, leased.c.host == ranked.c.host)
        .where(
            or_(
                ranked.c.host.is_(None), ranked.c.rank + func.coalesce(leased.c.held, 0) <= per_host
            )
        )
        .order_by(ranked.c.next_check_at, ranked.c.id)
        .limit(limit)
    )
    return list(connection.execute(query).scalars())


def renew_leases(connection: Connection, owner: str, until: datetime) -> int:
    """Extend every lease `owner` still holds (a lease another worker took is not touched)."""
    result = connection.execute(
        update(sources).where(sources.c.lease_owner == owner).values(lease_until=until)
    )
    return result.rowcount


def release_lease(connection: Connection, source_id: int, owner: str) -> bool:
    """Clear the source's lease if `owner` still holds it; False if another worker took it."""
    result = connection.execute(
        update(sources)
        .where(sources.c.id == source_id, sources.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    return result.rowcount == 1


def release_all(connection: Connection, owner: str) -> int:
    """Give back every lease of `owner` (a worker stopping with sources not yet fetched)."""
    result = connection.execute(
        update(sources)
        .where(sources.c.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    return result.rowcount


@dataclass(frozen=True, slots=True)
class Backlog:
    """What waits: sources due and free now, and when the next one comes due or free."""

    due: int
    next_at: datetime | None


def backlog(
    connection: Connection, *, now: datetime, due_before: datetime | None = None
) -> Backlog:
    """Due free sources now, and the earliest time a source is due (free) or its lease ends."""
    due_count = select(func.count()).where(_due(now, due_before or now)).scalar_subquery()
    wake = func.min(
        case(
            (_free(now), sources.c.next_check_at),
            else_=sources.c.lease_until,
        )
    )
    due, next_at = connection.execute(select(due_count, select(wake).scalar_subquery())).one()
    return Backlog(due, next_at)


def holders(connection: Connection, *, now: datetime) -> Sequence[tuple[str, int]]:
    """Each worker holding unexpired leases, with how many."""
    query = (
        select(sources.c.lease_owner, func.count())
        .where(sources.c.lease_until > now, sources.c.lease_owner.is_not(None))
        .group_by(sources.c.lease_owner)
        .order_by(sources.c.lease_owner)
    )
    return [(owner, count) for owner, count in connection.execute(query)]
