"""Leases: claims take due free sources within the per-host limit, expire, and are released
only by their holder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incoming.store import leases
from incoming.store.engine import Store
from incoming.store.leases import (
    backlog,
    claim_due,
    holders,
    release_all,
    release_lease,
    renew_leases,
)
from incoming.store.sources import add_source, list_sources

NOW = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def add_feeds(store: Store, urls: list[str]) -> list[int]:
    with store.write() as connection:
        return [add_source(connection, kind="feed", url=url, now=NOW).id for url in urls]


def claim(store: Store, owner: str, *, now: datetime = NOW, limit: int = 100, per_host=2):
    with store.write() as connection:
        found = claim_due(
            connection, owner=owner, now=now, lease=LEASE, limit=limit, per_host=per_host
        )
    return [source.id for source in found]


def test_claims_never_overlap_and_respect_the_host_limit(store: Store) -> None:
    ids = add_feeds(
        store,
        [f"https://h{n % 3}.example/feed/{n}" for n in range(12)],  # 4 per host
    )
    first = claim(store, "a", limit=5)
    assert len(first) == 5
    second = claim(store, "b")
    assert not set(first) & set(second)
    assert len(first) + len(second) == 6  # 2 leased per host, whoever holds them
    assert claim(store, "c") == []
    with store.read() as connection:
        leased = [s for s in list_sources(connection) if s.lease_owner]
        assert {s.host for s in leased} == {"h0.example", "h1.example", "h2.example"}
        assert all(s.lease_until == NOW + LEASE for s in leased)
        assert dict(holders(connection, now=NOW)) == {"a": 5, "b": 1}
        assert backlog(connection, now=NOW).due == 6
    with store.write() as connection:
        assert release_lease(connection, first[0], "a")
    assert len(claim(store, "c")) == 1
    assert set(ids) >= set(first) | set(second)


def test_without_a_host_limit_everything_due_is_taken_oldest_first(store: Store) -> None:
    ids = add_feeds(store, [f"https://one.example/{n}" for n in range(5)])
    assert claim(store, "a", per_host=None, limit=3) == ids[:3]
    assert claim(store, "a", per_host=None) == ids[3:]


def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_release_it(
    store: Store,
) -> None:
    [source_id] = add_feeds(store, ["https://slow.example/feed"])
    assert claim(store, "dead") == [source_id]
    assert claim(store, "alive", now=NOW + LEASE / 2) == []
    assert claim(store, "alive", now=NOW + LEASE) == [source_id]
    with store.write() as connection:
        assert not release_lease(connection, source_id, "dead")
        assert renew_leases(connection, "dead", NOW + 2 * LEASE) == 0
        assert release_lease(connection, source_id, "alive")


def test_renewal_keeps_a_lease_and_release_all_frees_every_one(store: Store) -> None:
    add_feeds(store, ["https://a.example/1", "https://b.example/2"])
    assert len(claim(store, "w")) == 2
    with store.write() as connection:
        assert renew_leases(connection, "w", NOW + 3 * LEASE) == 2
    assert claim(store, "other", now=NOW + 2 * LEASE) == []
    with store.write() as connection:
        assert release_all(connection, "w") == 2
    assert len(claim(store, "other", now=NOW + 2 * LEASE)) == 2


def test_sources_not_yet_due_are_left_and_the_backlog_says_when(store: Store) -> None:
    add_feeds(store, ["https://later.example/feed"])
    with store.read() as connection:
        assert backlog(connection, now=NOW - timedelta(minutes=5)).due == 0
        assert backlog(connection, now=NOW - timedelta(minutes=5)).next_at == NOW
    assert claim(store, "w", now=NOW - timedelta(minutes=5)) == []


def test_a_host_with_many_due_sources_does_not_hide_the_others(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(leases, "POOL_MIN", 3)
    monkeypatch.setattr(leases, "POOL_PER_CLAIM", 1)
    crowded = add_feeds(store, [f"https://big.example/{n}" for n in range(10)])
    [other] = add_feeds(store, ["https://small.example/feed"])  # due after all of big's
    assert claim(store, "a", limit=2) == crowded[:2]
    assert claim(store, "b", limit=2) == [other]  # big is full: small is seen at once
