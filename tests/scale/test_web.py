"""Two `incoming serve` processes on one PostgreSQL database see a worker's commit within 1 s."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from incoming.store.engine import Store
from incoming.store.sources import add_source
from tests.scale.support import INCOMING, finish, free_port, wait_until, worker
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

# PostgreSQL only: coordinating processes is what it is for.
pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]

TITLE = "Commit seen everywhere"


@pytest.fixture
def two_sites(db_url: str) -> Iterator[list[str]]:
    ports = [free_port(), free_port()]
    running = [
        subprocess.Popen(
            [INCOMING, "--database", db_url, "serve", "--no-refresh", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_until(lambda base=base: _answers(base), timeout=60, every=0.1)
        yield bases
    finally:
        for process in running:
            process.terminate()
        for process in running:
            process.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_a_workers_article_shows_on_both_front_pages_within_a_second(
    db_url: str, store: Store, server: FixtureServer, two_sites: list[str]
) -> None:
    for base in two_sites:  # both have the empty front page cached under the current marker
        assert TITLE not in httpx.get(f"{base}/").text
    items = [("seen-1", TITLE, "<p>From a worker process.</p>")]
    server.route("/live.xml", body=rss(items, title="Live"), headers=RSS_HEADERS)
    with store.write() as connection:
        add_source(
            connection,
            kind="feed",
            title="Live",
            url=server.url("/live.xml", host="live.localhost"),
            now=datetime.now(UTC),
        )
    for base in two_sites:  # the new source changed the marker; let both cache the page again
        wait_until(lambda base=base: "Live" in httpx.get(f"{base}/sources").text, timeout=5)
        assert TITLE not in httpx.get(f"{base}/").text
    finish(worker(db_url, "--once"))
    committed = time.monotonic()
    for base in two_sites:
        wait_until(lambda base=base: TITLE in httpx.get(f"{base}/").text, timeout=5, every=0.02)
        assert time.monotonic() - committed < 1.0 + 0.5  # the marker's TTL, and a request
