"""Background refresh while serving: due sources are fetched on their schedule, forever.

Fetching is asynchronous and writing happens in worker threads, so pages keep being served
meanwhile; a failed round is logged and the next one comes all the same. With several web
processes, `refresh_process` runs it in a process of its own instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from typing import TYPE_CHECKING

from sqlalchemy.exc import OperationalError

from incoming.logs import configure_logging
from incoming.publish.settings import SiteSettings, settings_from_json
from incoming.store.engine import Store, open_store, unavailable_reason

if TYPE_CHECKING:
    from incoming.fetch.settings import FetchSettings
    from incoming.sources.refresh import Outcome

log = logging.getLogger(__name__)
PARENT_CHECK_SECONDS = 1.0


async def refresh_due(store: Store, settings: FetchSettings) -> list[Outcome]:
    """`sources.refresh.refresh_due`, imported on the first round: a web process that does
    not refresh never imports the fetcher and the parsers."""
    from incoming.sources import refresh

    return await refresh.refresh_due(store, settings)


async def refresh_forever(store: Store, settings: SiteSettings) -> None:
    while True:
        try:
            outcomes = await refresh_due(store, settings.fetch)
        except OperationalError as exc:  # the database is down: pages answer 503 meanwhile
            log.warning("background refresh skipped: %s", unavailable_reason(exc))
        except Exception:
            log.exception("background refresh failed; trying again later")
        else:
            for outcome in outcomes:
                if outcome.failed:
                    log.warning("refreshing %s failed: %s", outcome.name, outcome.error)
            if outcomes:
                log.info("refreshed %d due source(s)", len(outcomes))
        await asyncio.sleep(settings.refresh_every_seconds)


async def _refresh_until_stopped(store: Store, settings: SiteSettings) -> None:
    """Until SIGTERM or SIGINT, or until the parent is gone (killed without telling us)."""
    parent = os.getppid()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    task = asyncio.create_task(refresh_forever(store, settings))
    while not stop.is_set() and os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PARENT_CHECK_SECONDS)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def refresh_process(store_url: str, settings_json: str, log_format: str) -> None:
    """The body of the one refreshing process beside several web processes."""
    # Until the loop handles it: a Ctrl-C reaches the whole group, and the parent stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    configure_logging(log_format)
    store = open_store(store_url)
    try:
        asyncio.run(_refresh_until_stopped(store, settings_from_json(settings_json)))
    finally:
        store.close()
