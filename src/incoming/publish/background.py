"""Background refresh while serving: due sources are fetched on their schedule, forever.

Fetching is asynchronous and writing happens in worker threads, so pages keep being served
meanwhile; a failed round is logged and the next one comes all the same.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import OperationalError

from incoming.publish.settings import SiteSettings
from incoming.sources.refresh import refresh_due
from incoming.store.engine import Store, unavailable_reason

log = logging.getLogger(__name__)


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
