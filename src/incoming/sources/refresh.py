"""Refreshing many sources at once: fetch and parse concurrently, write through one writer."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, OperationalError

from incoming.errors import FetchError, IncomingError, SourceRemovedError
from incoming.fetch import Fetcher, FetchSettings
from incoming.fetch.schedule import next_check, next_check_after_success
from incoming.metrics import record_fetch
from incoming.models import ArticleDraft, SaveCounts
from incoming.sources.feeds import FeedFetch
from incoming.sources.notes import reread_notes, save_notes
from incoming.sources.prepare import parse_and_prepare
from incoming.store.articles import save_drafts, stored_hashes
from incoming.store.engine import Store, unavailable_reason
from incoming.store.leases import release_lease
from incoming.store.retention import prune_source
from incoming.store.sources import Source, list_sources, lock_source, record_failure, record_success

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What refreshing one source did, for progress bars, summaries and the API."""

    source_id: int
    name: str
    counts: SaveCounts = field(default_factory=SaveCounts)
    not_modified: bool = False
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def result(self) -> str:
        """One word for metrics and logs: failed, not_modified, new, updated or unchanged."""
        if self.failed:
            return "failed"
        if self.not_modified:
            return "not_modified"
        if self.counts.new:
            return "new"
        return "updated" if self.counts.updated else "unchanged"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Refresher:
    """A fetcher shared by many sources, a single writer thread, and optionally a lease owner.

    With `lease_owner`, the transaction recording each source's outcome also clears that
    worker's lease on it, if the worker still holds it (store/leases.py).
    """

    def __init__(
        self, store: Store, fetcher: Fetcher, cpu: Executor | None, lease_owner: str | None = None
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.cpu = cpu  # parsing and cleaning; None: the event loop's default threads
        self.lease_owner = lease_owner
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incoming-writer")

    async def _record(self, source: Source, write: Callable[[Connection], T]) -> T:
        """Run `write` in one transaction with the source locked, on the writer thread; a
        SourceRemovedError, writing nothing, if the source is gone since it was read."""

        def run() -> T:
            with self.store.write() as connection:
                if not lock_source(connection, source):
                    raise SourceRemovedError("removed while it was being fetched: nothing saved")
                result = write(connection)
                if self.lease_owner is not None and not release_lease(
                    connection, source.id, self.lease_owner
                ):
                    log.warning("lost the lease on %s before recording it", source.url)
                return result

        return await asyncio.get_running_loop().run_in_executor(self.writer, run)

    async def refresh(self, source: Source) -> Outcome:
        """Refresh one source, then count it and log it (here, so every caller does)."""
        started = time.perf_counter()
        try:
            outcome = await self._refresh(source)
        except SourceRemovedError as exc:  # after its fetch, or after its failure
            outcome = Outcome(source.id, source.display_name, error=str(exc))
        seconds = time.perf_counter() - started
        record_fetch(source.kind, outcome.result, seconds, outcome.counts)
        log.info(
            "refreshed %s: %s%s",
            source.url,
            outcome.error or outcome.result,
            limits_note(outcome.counts),
            extra={
                "source_id": source.id,
                "url": source.url,
                "kind": source.kind,
                "outcome": outcome.result,
                "duration_ms": round(seconds * 1000, 1),
                "new": outcome.counts.new,
                "updated": outcome.counts.updated,
                "dropped": outcome.counts.dropped,
                "pruned": outcome.counts.pruned,
                "error": outcome.error,
            },
        )
        return outcome

    async def _refresh(self, source: Source) -> Outcome:
        """Fetch (or re-read) one source and record the outcome; raises for the source only
        when it is gone (SourceRemovedError: there is nothing to record the outcome on)."""
        try:
            if source.kind == "notes":
                read = await asyncio.to_thread(reread_notes, self.store, source)
                counts = await self._record(
                    source, lambda connection: save_notes(connection, source, read, now=utcnow())
                )
                return Outcome(source.id, source.display_name, counts)
            return await self._refresh_feed(source)
        except SourceRemovedError:  # nothing to record it on (see refresh)
            raise
        except IncomingError as exc:
            return await self._fail(source, exc)
        except OperationalError:  # the database is gone: no source can be recorded; the run ends
            raise
        except Exception as exc:  # a bug must not stop the other sources; it is logged in full
            log.exception("refreshing %s failed", source.url)
            return await self._fail(source, exc, prefix="internal error: ")

    async def _refresh_feed(self, source: Source) -> Outcome:
        result = await self.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified
        )
        prepared = None
        if result.status != 304:
            stored = await asyncio.to_thread(self._stored_hashes, source.id)
            prepared = await asyncio.get_running_loop().run_in_executor(
                self.cpu,
                functools.partial(
                    parse_and_prepare,
                    result.body,
                    result.url,
                    result.content_type,
                    source.topic,
                    stored,
                    self.fetcher.settings.max_entries_per_fetch,
                    source.content_format,
                ),
            )
        fetched = FeedFetch(
            result, prepared.feed if prepared else None, result.permanent_url or source.url
        )
        now = utcnow()
        drafts = prepared.drafts if prepared else []
        unchanged = prepared.unchanged if prepared else []
        keep = self.fetcher.settings.max_articles_per_source
        counts = await self._record(
            source,
            lambda connection: keep_within_limit(
                connection,
                source,
                save_feed_fetch(connection, source, fetched, drafts, unchanged, now=now),
                listed=[*(draft.identity for draft in drafts), *unchanged],
                keep=keep,
            ),
        )
        return Outcome(source.id, source.display_name, counts, not_modified=prepared is None)

    def _stored_hashes(self, source_id: int) -> dict[str, str]:
        with self.store.read() as connection:
            return stored_hashes(connection, source_id)

    async def _fail(self, source: Source, exc: Exception, *, prefix: str = "") -> Outcome:
        now = utcnow()
        # A database error's first line only: its SQL and parameters (article text) stay in the log.
        message = prefix + (unavailable_reason(exc) if isinstance(exc, DBAPIError) else str(exc))
        due = next_check(
            now,
            interval=timedelta(seconds=source.interval_seconds),
            error_count=source.error_count + 1,
            retry_after=exc.retry_after if isinstance(exc, FetchError) else None,
            ttl_seconds=None,
            max_age=None,
            spread_key=str(source.id),
        )

        await self._record(
            source,
            lambda connection: record_failure(
                connection, source.id, now=now, next_check_at=due, error=message
            ),
        )
        return Outcome(source.id, source.display_name, error=message)


def save_feed_fetch(
    connection: Connection,
    source: Source,
    fetched: FeedFetch,
    drafts: Sequence[ArticleDraft],
    unchanged: Sequence[str],
    *,
    now: datetime,
) -> SaveCounts:
    """Save a successful fetch: its entries, validators, title, new URL and next check."""
    feed = fetched.feed
    counts = save_drafts(connection, source.id, drafts, now=now, unchanged=unchanged)
    ttl = feed.ttl_seconds if feed else source.ttl_seconds  # a 304 leaves the hint as it was
    due = next_check_after_success(
        now,
        interval_seconds=source.interval_seconds,
        spread_key=str(source.id),
        ttl_seconds=ttl,
        max_age=fetched.result.max_age,
    )
    record_success(
        connection,
        source.id,
        now=now,
        next_check_at=due,
        title=feed.title if feed else None,
        site_url=feed.site_url if feed else None,
        url=fetched.feed_url if fetched.feed_url != source.url else None,
        etag=fetched.result.etag,
        last_modified=fetched.result.last_modified,
        ttl_seconds=ttl,
    )
    return replace(counts, dropped=feed.dropped_entries) if feed else counts


def keep_within_limit(
    connection: Connection, source: Source, counts: SaveCounts, *, listed: list[str], keep: int
) -> SaveCounts:
    """After a save that added articles, the source's oldest beyond `keep` are deleted (see
    store/retention.py); the entries the feed lists now never are."""
    if not counts.new:
        return counts
    return replace(counts, pruned=prune_source(connection, source.id, keep=keep, listed=listed))


def limits_note(counts: SaveCounts) -> str:
    """What the limits left out, for the log line: nothing when they left nothing."""
    notes = []
    if counts.dropped:
        notes.append(f"{counts.dropped} oldest entries over the per-fetch cap left out")
    if counts.pruned:
        notes.append(f"{counts.pruned} oldest articles over the per-source limit deleted")
    return "".join(f"; {note}" for note in notes)


def _leased(source: Source) -> bool:
    return source.lease_until is not None and source.lease_until > utcnow()


# Below this many feeds, starting worker processes costs more than it saves.
PROCESS_POOL_MIN_FEEDS = 8


def _cpu_pool(feeds: int, initializer: Callable[[], None] | None = None) -> Executor | None:
    """Worker processes for parsing and cleaning: they use every core, where threads cannot.
    (`initializer` runs in each: benchmarks change what workers do through it.)"""
    workers = min(os.cpu_count() or 1, feeds)
    if feeds < PROCESS_POOL_MIN_FEEDS or workers < 2:
        return None
    # forkserver: forking this process, which runs threads, could copy a held lock.
    return ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("forkserver"), initializer=initializer
    )


@contextlib.asynccontextmanager
async def refreshing(
    store: Store, settings: FetchSettings, *, feeds: int, lease_owner: str | None = None
) -> AsyncIterator[Refresher]:
    """A Refresher for about `feeds` feeds at once; its threads and processes end with it."""
    async with Fetcher(settings) as fetcher:
        refresher = Refresher(store, fetcher, _cpu_pool(feeds), lease_owner)
        try:
            yield refresher
        finally:
            refresher.writer.shutdown(wait=True)
            if refresher.cpu is not None:
                refresher.cpu.shutdown(wait=True, cancel_futures=True)


async def refresh_sources(
    store: Store,
    sources: Sequence[Source],
    *,
    settings: FetchSettings,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Refresh every source given; failures are recorded on their source, never raised.

    Only the store going away ends the run (OperationalError): the sources still in flight
    are cancelled and awaited, so none of their errors is left unretrieved.
    """
    outcomes: list[Outcome] = []
    async with refreshing(
        store, settings, feeds=sum(s.kind == "feed" for s in sources)
    ) as refresher:
        tasks = [asyncio.ensure_future(refresher.refresh(s)) for s in sources]
        try:
            for finished in asyncio.as_completed(tasks):
                outcome = await finished
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return outcomes


async def refresh_due(store: Store, settings: FetchSettings) -> list[Outcome]:
    """Refresh the sources whose next check has come and no worker is fetching (the site's
    background refresh; with `incoming worker` running, serve with --no-refresh instead)."""
    with store.read() as connection:
        due = [s for s in list_sources(connection, due_before=utcnow()) if not _leased(s)]
    return await refresh_sources(store, due, settings=settings) if due else []
