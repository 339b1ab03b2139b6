"""The fetch worker in one process: a cycle fetches what is due, records it, leaves no lease."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

from incoming.cli import cli
from incoming.errors import ConfigError
from incoming.fetch import FetchSettings
from incoming.sources import worker as worker_module
from incoming.sources.refresh import refresh_due
from incoming.sources.worker import Worker, WorkerSettings
from incoming.store.engine import Store
from incoming.store.leases import claim_due
from incoming.store.sources import add_source, list_sources, record_failure
from incoming.store.status import read_status
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

PRIVATE = FetchSettings(allow_private_addresses=True)


def serve_feeds(server: FixtureServer, store: Store, count: int, hosts: int = 2) -> None:
    now = datetime.now(UTC)
    with store.write() as connection:
        for n in range(count):
            path = f"/feed/{n}.xml"
            items = [(f"s{n}-e{e}", f"Source {n} entry {e}", f"<p>{n}.{e}</p>") for e in range(2)]
            server.route(path, body=rss(items, title=f"Feed {n}"), headers=RSS_HEADERS)
            url = server.url(path, host=f"feed{n % hosts}.localhost")
            add_source(connection, kind="feed", url=url, now=now)


def run_once(store: Store, **options: object) -> Worker:
    worker = Worker(store, WorkerSettings(once=True, parse_processes=False, **options), PRIVATE)
    asyncio.run(worker.run(asyncio.Event()))
    return worker


def test_one_cycle_fetches_every_due_source_once(store: Store, server: FixtureServer) -> None:
    serve_feeds(store=store, server=server, count=12, hosts=3)
    worker = run_once(store, concurrency=4, per_host=2)
    assert worker.counters.fetched == 12
    assert worker.counters.new_articles == 24
    assert sorted(r.path for r in server.requests) == sorted(f"/feed/{n}.xml" for n in range(12))
    assert max(server.max_concurrent(f"feed{h}.localhost") for h in range(3)) <= 2
    with store.read() as connection:
        listed = list_sources(connection)
        status = read_status(connection, now=datetime.now(UTC))
    assert all(s.lease_owner is None and s.lease_until is None for s in listed)
    assert all(s.next_check_at > datetime.now(UTC) + timedelta(minutes=50) for s in listed)
    assert status.due == 0
    assert status.ingested_last_hour == 24
    [row] = status.workers
    assert (row.name, row.fetched, row.new_articles) == (worker.name, 12, 24)
    assert row.stopped_at is not None
    run_once(store)  # nothing is due any more: a second cycle fetches nothing
    assert len(server.requests) == 12


def test_failures_are_recorded_and_counted(store: Store, server: FixtureServer) -> None:
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/gone.xml"), now=datetime.now(UTC))
    worker = run_once(store)
    assert (worker.counters.fetched, worker.counters.failed) == (1, 1)
    with store.read() as connection:
        status = read_status(connection, now=datetime.now(UTC))
    assert status.failing == 1
    assert "HTTP 404" in (status.worst[0].last_error or "")


def test_status_shows_stored_text_as_text(db_url: str, store: Store) -> None:
    """A failing source's URL and error came from elsewhere: rich markup in them is text."""
    now = datetime.now(UTC)
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://x.example/[/]", now=now)
        record_failure(
            connection, source.id, now=now, next_check_at=now, error="HTTP 500 [/] [link=y]z"
        )
    shown = CliRunner().invoke(cli, ["--database", db_url, "status"])
    assert shown.exit_code == 0, shown.output
    assert "HTTP 500 [/] [link=y]z" in shown.output
    assert "https://x.example/[/]" in shown.output


def test_status_json_and_worker_options(db_url: str, store: Store, server: FixtureServer) -> None:
    runner = CliRunner()
    added = runner.invoke(cli, ["--database", db_url, "status", "--json"])
    assert added.exit_code == 0, added.output
    report = json.loads(added.output)
    assert (report["sources"], report["due"], report["workers"]) == (0, 0, [])
    bad = runner.invoke(cli, ["--database", db_url, "worker", "--per-host", "0"])
    assert bad.exit_code != 0
    with pytest.raises(ConfigError, match="at least 1"):
        WorkerSettings(concurrency=0)


def test_a_second_worker_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    incoming = Path(sys.executable).with_name("incoming")
    first = subprocess.Popen(
        [incoming, "--database", url, "worker", "--no-parse-processes"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stderr is not None
        assert "started" in first.stderr.readline()
        second = subprocess.run(
            [incoming, "--database", url, "worker", "--once"],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ | {"COLUMNS": "200"},
        )
        assert second.returncode == 1
        assert second.stderr.strip().splitlines() == [
            f"incoming: error: another `incoming worker` is running on {tmp_path / 'one.db'}: "
            "SQLite takes one worker (use PostgreSQL for several)"
        ]
    finally:
        first.terminate()
        assert first.wait(timeout=30) == 0


def test_the_sites_own_refresh_leaves_leased_sources_to_their_worker(
    store: Store, server: FixtureServer
) -> None:
    serve_feeds(server, store, 2)
    now = datetime.now(UTC)
    with store.write() as connection:
        [held] = claim_due(
            connection, owner="w", now=now, lease=timedelta(minutes=1), limit=1, per_host=None
        )
    outcomes = asyncio.run(refresh_due(store, PRIVATE))
    assert len(outcomes) == 1
    assert held.id not in {outcome.source_id for outcome in outcomes}


def test_a_database_hiccup_is_survived(
    store: Store, server: FixtureServer, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    serve_feeds(server, store, 3)
    real = worker_module.claim_due
    calls: list[int] = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))
        return real(*args, **kwargs)

    monkeypatch.setattr(worker_module, "claim_due", flaky)
    worker = run_once(store, retry_seconds=0.01)
    assert worker.counters.fetched == 3
    assert "cannot claim sources" in caplog.text
