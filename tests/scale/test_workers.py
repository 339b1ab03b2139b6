"""Several `incoming worker` processes on one PostgreSQL database, over 1,000 real sources.

They fetch every source exactly once a cycle, store no article twice, keep to the per-host
limit together, and when one is killed the others take its sources once its leases expire.
"""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from incoming.store.engine import Store
from incoming.store.schema import articles, sources
from tests.scale.support import (
    ENTRIES,
    INCOMING,
    add_feeds,
    count_sources,
    finish,
    host_of,
    wait_until,
    worker,
)
from tests.support.server import FixtureServer

# PostgreSQL only: coordinating processes is what it is for.
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]

SOURCES = 1000
HOSTS = 20
PER_HOST = 2
KILLED_CYCLE = 300  # enough to kill a worker mid-cycle, on two busy cores


def assert_stored_once(store: Store, count: int = SOURCES) -> None:
    with store.read() as connection:
        total, distinct = connection.execute(
            select(func.count(), func.count(func.distinct(articles.c.guid)))
        ).one()
        assert (total, distinct) == (count * ENTRIES, count * ENTRIES)
        unfinished = connection.execute(
            select(func.count()).where(
                (sources.c.last_success_at.is_(None)) | (sources.c.lease_owner.is_not(None))
            )
        ).scalar_one()
        assert unfinished == 0


def assert_polite(server: FixtureServer) -> None:
    busiest = max(server.max_concurrent(host_of(n, HOSTS)) for n in range(HOSTS))
    assert 1 <= busiest <= PER_HOST


def test_three_workers_fetch_each_source_exactly_once(
    db_url: str, store: Store, server: FixtureServer
) -> None:
    add_feeds(store, server, SOURCES, hosts=HOSTS, delay=0.01)
    running = [
        worker(db_url, "--once", "--per-host", str(PER_HOST), "--concurrency", "24")
        for _ in range(3)
    ]
    for process in running:
        finish(process)
    fetched = Counter(request.path for request in server.requests)
    assert len(fetched) == SOURCES
    assert set(fetched.values()) == {1}
    assert_stored_once(store)
    assert_polite(server)
    report = json.loads(
        subprocess.run(
            [INCOMING, "--database", db_url, "status", "--json"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    assert (report["sources"], report["due"], report["leased"]) == (SOURCES, 0, [])
    assert report["ingested_last_hour"] == SOURCES * ENTRIES
    done = [row["fetched"] for row in report["workers"]]
    assert len(done) == 3
    assert sum(done) == SOURCES
    assert sum(count > 0 for count in done) >= 2  # they shared the work


def test_a_killed_workers_sources_are_taken_over_after_its_lease(
    db_url: str, store: Store, server: FixtureServer
) -> None:
    add_feeds(store, server, KILLED_CYCLE, hosts=HOSTS, delay=0.02)
    options = ("--per-host", str(PER_HOST), "--concurrency", "24", "--lease-seconds", "2")
    victim, *survivors = [worker(db_url, *options) for _ in range(3)]
    victims = sources.c.lease_owner.like(f"%:{victim.pid}:%")
    wait_until(  # mid-cycle: work done, and the victim holding sources
        lambda: (
            count_sources(store, sources.c.last_success_at.is_not(None)) >= 50
            and count_sources(store, victims) > 0
        ),
        timeout=120,
        every=0.01,
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    with store.read() as connection:
        held = set(connection.execute(select(sources.c.url).where(victims)).scalars())
    assert held, "the killed worker held no lease: it was not killed mid-cycle"
    wait_until(
        lambda: (
            count_sources(
                store, sources.c.last_success_at.is_not(None), sources.c.lease_owner.is_(None)
            )
            == KILLED_CYCLE
        ),
        timeout=120,
    )
    for process in survivors:
        process.send_signal(signal.SIGTERM)
    for process in survivors:
        assert "stopped" in finish(process, timeout=30)
    assert_stored_once(store, KILLED_CYCLE)
    assert_polite(server)
    fetched = Counter(request.path for request in server.requests)
    assert len(fetched) == KILLED_CYCLE
    again = {path for path, times in fetched.items() if times > 1}
    assert again <= {urlsplit(url).path for url in held}  # only what died in flight, once more
    assert max(fetched.values()) <= 2
