"""Refreshing many sources at once: fetch and parse concurrently, write through one writer."""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError

from incoming.errors import FetchError, IncomingError
from incoming.fetch import Fetcher, FetchSettings
from incoming.fetch.schedule import next_check
from incoming.models import ArticleDraft, SaveCounts
from incoming.sources.feeds import FeedFetch
from incoming.sources.notes import import_notes
from incoming.sources.prepare import parse_and_prepare
from incoming.store.articles import save_drafts, stored_hashes
from incoming.store.engine import Store
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


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Refresher:
    """One refresh run: a fetcher shared by all sources and a single writer thread."""

    def __init__(self, store: Store, fetcher: Fetcher, cpu: Executor | None) -> None:
        self.store = store
        self.fetcher = fetcher
        self.cpu = cpu  # parsing and cleaning; None: the event loop's default threads
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="incoming-writer")

    async def _write(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.writer, call)

    async def refresh(self, source: Source) -> Outcome:
        try:
            if source.kind == "notes":
                counts = await self._write(lambda: import_notes(self.store, source, now=utcnow()))
                return Outcome(source.id, source.display_name, counts)
            return await self._refresh_feed(source)
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
                ),
            )
        fetched = FeedFetch(
            result, prepared.feed if prepared else None, result.permanent_url or source.url
        )
        now = utcnow()

        def write() -> SaveCounts:
            with self.store.write() as connection:
                lock_source(connection, source.id)
                return save_feed_fetch(
                    connection,
                    source,
                    fetched,
                    prepared.drafts if prepared else [],
                    prepared.unchanged if prepared else [],
                    now=now,
                )

        counts = await self._write(write)
        return Outcome(source.id, source.display_name, counts, not_modified=prepared is None)

    def _stored_hashes(self, source_id: int) -> dict[str, str]:
        with self.store.read() as connection:
            return stored_hashes(connection, source_id)

    async def _fail(self, source: Source, exc: Exception, *, prefix: str = "") -> Outcome:
        now = utcnow()
        message = f"{prefix}{exc}"
        due = next_check(
            now,
            interval=timedelta(seconds=source.interval_seconds),
            error_count=source.error_count + 1,
            retry_after=exc.retry_after if isinstance(exc, FetchError) else None,
            ttl_seconds=None,
            max_age=None,
            spread_key=str(source.id),
        )

        def write() -> None:
            with self.store.write() as connection:
                record_failure(connection, source.id, now=now, next_check_at=due, error=message)

        await self._write(write)
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
    due = next_check(
        now,
        interval=timedelta(seconds=source.interval_seconds),
        error_count=0,
        retry_after=None,
        ttl_seconds=feed.ttl_seconds if feed else None,
        max_age=fetched.result.max_age,
        spread_key=str(source.id),
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
    )
    return counts


# Below this many feeds, starting worker processes costs more than it saves.
PROCESS_POOL_MIN_FEEDS = 8


def _cpu_pool(feeds: int) -> Executor | None:
    """Worker processes for parsing and cleaning: they use every core, where threads cannot."""
    workers = min(os.cpu_count() or 1, feeds)
    if feeds < PROCESS_POOL_MIN_FEEDS or workers < 2:
        return None
    # forkserver: forking this process, which runs threads, could copy a held lock.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


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
    async with Fetcher(settings) as fetcher:
        refresher = _Refresher(store, fetcher, _cpu_pool(sum(s.kind == "feed" for s in sources)))
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
            refresher.writer.shutdown(wait=True)
            if refresher.cpu is not None:
                refresher.cpu.shutdown(wait=True, cancel_futures=True)
    return outcomes


async def refresh_due(store: Store, settings: FetchSettings) -> list[Outcome]:
    """Refresh the sources whose next check has come (the site's background refresh)."""
    with store.read() as connection:
        due = list_sources(connection, due_before=utcnow())
    return await refresh_sources(store, due, settings=settings) if due else []
