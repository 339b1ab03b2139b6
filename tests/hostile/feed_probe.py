"""Fetch, parse and store one huge feed in this process, measuring time and peak memory.

Run by test_runaway.py as `python -m tests.hostile.feed_probe ENTRIES CAP` (CAP 0: no cap);
prints one JSON object: the feed's size, seconds, peak RSS and the fetch's counts. By hand:
`.venv/bin/python -m tests.hostile.feed_probe 100000 0` gives the figures without a cap.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.store.articles import count_articles
from incoming.store.engine import open_store
from incoming.store.sources import add_source
from tests.support.memory import peak_rss_bytes
from tests.support.server import FixtureServer

SETTINGS = FetchSettings(
    allow_private_addresses=True, total_timeout=120, read_timeout=60, max_body_bytes=10 << 20
)


def huge_feed(entries: int) -> bytes:
    """`entries` tiny RSS items, one a minute, listed oldest first (the wrong way round)."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>{n}</guid><title>t{n}</title>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=n), usegmt=True)}</pubDate></item>"
        for n in range(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>huge</title>'
        f"{items}</channel></rss>"
    ).encode()


def main() -> None:
    entries, cap = int(sys.argv[1]), int(sys.argv[2])
    body = huge_feed(entries)
    settings = replace(SETTINGS, max_entries_per_fetch=cap)
    with FixtureServer() as server, tempfile.TemporaryDirectory() as folder:
        server.route("/huge", body=body, headers={"Content-Type": "application/rss+xml"})
        store = open_store(f"sqlite:///{Path(folder) / 'huge.db'}")
        try:
            with store.write() as connection:
                add_source(connection, kind="feed", url=server.url("/huge"), now=datetime.now(UTC))
            before = peak_rss_bytes()
            started = time.perf_counter()
            [outcome] = asyncio.run(service.fetch_sources(store, None, fetch_settings=settings))
            seconds = time.perf_counter() - started
            with store.read() as connection:
                stored = count_articles(connection)
        finally:
            store.close()
    json.dump(
        {
            "feed_bytes": len(body),
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(peak_rss_bytes() / 2**20, 1),
            "rss_before_mb": round(before / 2**20, 1),
            "error": outcome.error,
            "new": outcome.counts.new,
            "stored": stored,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
