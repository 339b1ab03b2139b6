"""The fetch worker: claims due sources through leases, refreshes them, and does it again.

Any number of workers (on any machines) share one PostgreSQL database; they coordinate only
through it (store/leases.py). Each keeps up to `concurrency` sources in flight: whenever one
finishes it claims more, so a slow feed never holds up the rest. With nothing due it sleeps
until the next source comes due (at most `max_sleep_seconds`, so new sources are seen soon).
A heartbeat renews its leases and records its counters for `incoming status`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from incoming.errors import ConfigError
from incoming.fetch import FetchSettings
from incoming.sources.refresh import Outcome, Refresher, refreshing, utcnow
from incoming.store.engine import Store, unavailable_reason
from incoming.store.leases import Backlog, backlog, claim_due, release_all, renew_leases
from incoming.store.sources import Source
from incoming.store.workers import Counters, beat, register_worker

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How one worker runs; times in seconds.

    `per_host` bounds the requests to one host from all workers together (each claim counts
    every worker's leases), so every worker should be given the same value. `once` fetches
    the sources due when the worker starts, then returns (for cron and tests).
    """

    concurrency: int = 16
    lease_seconds: float = 60.0
    per_host: int = 2
    once: bool = False
    max_sleep_seconds: float = 30.0
    poll_seconds: float = 0.25
    grace_seconds: float = 10.0
    retry_seconds: float = 5.0  # after the database failed to answer
    parse_processes: bool = True

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_host < 1:
            raise ConfigError("worker concurrency and per-host limit must be at least 1")
        if self.lease_seconds < 1:
            raise ConfigError("worker lease must be at least 1 second")

    @property
    def heartbeat_seconds(self) -> float:
        """Leases are renewed three times per lease: one missed beat loses nothing."""
        return self.lease_seconds / 3


def worker_name() -> str:
    """Unique across machines and restarts, and readable in `incoming status`."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Worker:
    def __init__(
        self,
        store: Store,
        settings: WorkerSettings,
        fetch: FetchSettings,
        *,
        name: str | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        # The fetcher's own per-host limit agrees with the claims'.
        self.fetch = replace(fetch, max_per_host=settings.per_host)
        self.name = name or worker_name()
        self.counters = Counters()
        self._cycle_start: datetime | None = None
        self._claim_batch = max(1, settings.concurrency // 4)

    async def run(self, stop: asyncio.Event) -> Counters:
        """Work until `stop` is set (or, with `once`, until the due sources are done)."""
        now = utcnow()
        self._cycle_start = now if self.settings.once else None
        await asyncio.to_thread(self._write, lambda c: register_worker(c, self.name, now=now))
        heart = asyncio.create_task(self._heartbeat())
        feeds = self.settings.concurrency if self.settings.parse_processes else 0
        try:
            async with refreshing(
                self.store, self.fetch, feeds=feeds, lease_owner=self.name
            ) as refresher:
                await self._loop(refresher, stop)
        finally:
            heart.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heart
            try:
                await asyncio.to_thread(self._finish)
            except DBAPIError as exc:  # its leases run out by themselves
                log.error("cannot sign off (%s)", unavailable_reason(exc))
        return self.counters

    async def _loop(self, refresher: Refresher, stop: asyncio.Event) -> None:
        in_flight: set[asyncio.Task[Outcome]] = set()
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                free = self.settings.concurrency - len(in_flight)
                if in_flight and free < self._claim_batch:
                    free = 0  # claims are serialized across workers: take a few at a time
                try:
                    claimed = await asyncio.to_thread(self._claim, free) if free else []
                except DBAPIError as exc:  # the database away for a moment: not the end
                    log.error("cannot claim sources (%s); trying again", unavailable_reason(exc))
                    await asyncio.wait({stopping}, timeout=self.settings.retry_seconds)
                    continue
                for source in claimed:
                    in_flight.add(asyncio.create_task(self._refresh(refresher, source)))
                if in_flight:
                    done, in_flight = await asyncio.wait(
                        in_flight | {stopping},
                        timeout=self.settings.poll_seconds,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    in_flight.discard(stopping)
                    _check(done - {stopping})
                    continue
                try:
                    waiting = await asyncio.to_thread(self._backlog)
                except DBAPIError as exc:
                    log.error("cannot read the backlog (%s); trying again", unavailable_reason(exc))
                    waiting = Backlog(due=1, next_at=None)  # look again soon
                if waiting.due == 0 and self.settings.once:
                    return
                await self._sleep(waiting, stopping)
        finally:
            stopping.cancel()
            await self._drain(in_flight)

    async def _sleep(self, waiting: Backlog, stopping: asyncio.Task[bool]) -> None:
        """Until the next source is due; briefly if due ones wait for a host's free slot."""
        delay = self.settings.poll_seconds
        if waiting.due == 0:
            delay = self.settings.max_sleep_seconds
            if waiting.next_at is not None:
                delay = min(delay, max((waiting.next_at - utcnow()).total_seconds(), 0.0))
        await asyncio.wait({stopping}, timeout=max(delay, 0.01))

    async def _drain(self, in_flight: set[asyncio.Task[Outcome]]) -> None:
        """Let fetches under way finish (for `grace_seconds`), then cancel what is left."""
        if not in_flight:
            return
        _, pending = await asyncio.wait(in_flight, timeout=self.settings.grace_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _refresh(self, refresher: Refresher, source: Source) -> Outcome:
        try:
            outcome = await refresher.refresh(source)
        except DBAPIError as exc:  # not recorded: the lease runs out and the source comes again
            outcome = Outcome(source.id, source.display_name, error=unavailable_reason(exc))
        counters = self.counters
        self.counters = Counters(
            fetched=counters.fetched + 1,
            failed=counters.failed + outcome.failed,
            new_articles=counters.new_articles + outcome.counts.new,
        )
        if outcome.failed:
            log.warning("fetching %s failed: %s", source.url, outcome.error)
        return outcome

    def _claim(self, limit: int) -> list[Source]:
        now = utcnow()
        with self.store.write() as connection:
            return claim_due(
                connection,
                owner=self.name,
                now=now,
                lease=timedelta(seconds=self.settings.lease_seconds),
                limit=limit,
                per_host=self.settings.per_host,
                due_before=self._cycle_start,
            )

    def _backlog(self) -> Backlog:
        with self.store.read() as connection:
            return backlog(connection, now=utcnow(), due_before=self._cycle_start)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            try:
                await asyncio.to_thread(self._beat)
            except Exception:  # the database may be away for a moment: try at the next beat
                log.exception("worker heartbeat failed")

    def _beat(self) -> None:
        now = utcnow()
        until = now + timedelta(seconds=self.settings.lease_seconds)
        with self.store.write() as connection:
            renew_leases(connection, self.name, until)
            beat(connection, self.name, self.counters, now=now)

    def _finish(self) -> None:
        """Give back the leases not used (others may take them at once) and sign off."""
        with self.store.write() as connection:
            release_all(connection, self.name)
            beat(connection, self.name, self.counters, now=utcnow(), stopped=True)

    def _write(self, action: Callable[[Connection], None]) -> None:
        with self.store.write() as connection:
            action(connection)


def _check(done: set[asyncio.Task[Outcome]]) -> None:
    """Refreshing records failures itself; anything else escaping is a bug: it ends the worker."""
    for task in done:
        task.result()
