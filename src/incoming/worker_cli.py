"""`incoming worker` and `incoming status`: fetching by many processes sharing one database."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from incoming.cli_support import (
    allow_private_option,
    database_option,
    fetch_settings,
    opened_store,
    stdout,
)

# What the commands use is imported when they run: the whole command line imports this module.
if TYPE_CHECKING:
    from incoming.sources.worker import Worker
    from incoming.store.engine import Store
    from incoming.store.status import Status
    from incoming.store.workers import Counters


async def _work(worker: Worker) -> Counters:
    """Run the worker; SIGTERM or SIGINT stops it gracefully (fetches under way finish)."""
    import asyncio
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    return await worker.run(stop)


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 10_000),
    default=16,
    show_default=True,
    help="Sources fetched at once by this worker.",
)
@click.option(
    "--lease-seconds",
    type=click.FloatRange(1, 86_400),
    default=60.0,
    show_default=True,
    help="How long a claim on a source outlives this worker if it dies.",
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 1000),
    default=2,
    show_default=True,
    help="Requests at once to one host, by all workers together (give all the same).",
)
@click.option("--once", is_flag=True, help="Fetch the sources due now, then exit.")
@click.option(
    "--parse-processes/--no-parse-processes",
    default=True,
    show_default=True,
    help="Parse in a pool of processes (off: one process, for many workers a machine).",
)
@allow_private_option
@database_option
@click.pass_context
def worker_command(
    ctx: click.Context,
    concurrency: int,
    lease_seconds: float,
    per_host: int,
    once: bool,
    parse_processes: bool,
    allow_private_addresses: bool,
) -> None:
    """Fetch due sources until stopped; run as many as needed on one PostgreSQL database."""
    import asyncio

    from incoming.sources.worker import Worker, WorkerSettings
    from incoming.store.worker_lock import single_worker

    settings = WorkerSettings(
        concurrency=concurrency,
        lease_seconds=lease_seconds,
        per_host=per_host,
        once=once,
        parse_processes=parse_processes,
    )
    fetch = fetch_settings(ctx, allow_private_addresses)
    with opened_store(ctx, creates=True) as store, single_worker(store):
        worker = Worker(store, settings, fetch)
        click.echo(f"worker {worker.name} started", err=True)
        done = asyncio.run(_work(worker))
    click.echo(
        f"worker {worker.name} stopped: {done.fetched} sources fetched ({done.failed} failed), "
        f"{done.new_articles} new articles",
        err=True,
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def status_json(status: Status) -> dict[str, Any]:
    return {
        "now": _iso(status.now),
        "sources": status.sources,
        "due": status.due,
        "leased": [{"worker": owner, "sources": count} for owner, count in status.leased],
        "failing": status.failing,
        "worst": [asdict(source) for source in status.worst],
        "ingested_last_hour": status.ingested_last_hour,
        "workers": [
            {
                **{k: _iso(v) if isinstance(v, datetime) else v for k, v in asdict(w).items()},
                "per_minute": round(w.per_minute, 1),
            }
            for w in status.workers
        ],
    }


def _print_status(status: Status) -> None:
    from rich.table import Table
    from rich.text import Text

    held = sum(count for _, count in status.leased)
    stdout.print(
        f"{status.sources} sources: {status.due} due now, {held} being fetched, "
        f"{status.failing} failing; {status.ingested_last_hour} articles in the last hour"
    )
    leased = dict(status.leased)
    table = Table("worker", "state", "started", "fetched", "failed", "new", "per minute", "holds")
    for w in status.workers:
        table.add_row(
            Text(w.name),
            "stopped" if w.stopped_at else f"seen {w.heartbeat_at:%H:%M:%S}",
            f"{w.started_at:%Y-%m-%d %H:%M}",
            str(w.fetched),
            str(w.failed),
            str(w.new_articles),
            f"{w.per_minute:.1f}",
            str(leased.get(w.name, 0)),
        )
    if status.workers:
        stdout.print(table)
    if status.worst:
        failing = Table("id", "url", "failures", "last error")
        for source in status.worst:
            failing.add_row(
                str(source.id),
                Text(source.url),
                str(source.error_count),
                Text(source.last_error or ""),
            )
        stdout.print(failing)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@database_option
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """Sources due, being fetched (by which worker) and failing; intake; worker throughput."""
    with opened_store(ctx) as store:
        status = _status(store)
    if as_json:
        click.echo(json.dumps(status_json(status), ensure_ascii=False))
    else:
        _print_status(status)


def _status(store: Store) -> Status:
    from incoming.store.status import read_status

    with store.read() as connection:
        return read_status(connection, now=datetime.now(UTC))


COMMANDS = (worker_command, status_command)
"""For the main command line to add."""
