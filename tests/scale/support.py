"""Many sources on the fixture server under several host names, and `incoming` processes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from incoming.store.engine import Store
from incoming.store.schema import sources
from incoming.store.sources import add_source
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

INCOMING = str(Path(sys.executable).with_name("incoming"))
ENTRIES = 2


def host_of(n: int, hosts: int) -> str:
    return f"feed{n % hosts}.localhost"


def add_feeds(
    store: Store, server: FixtureServer, count: int, *, hosts: int, delay: float = 0.0
) -> None:
    """`count` tiny feeds at /f/N.xml, source N named by host feed{N % hosts}.localhost."""
    now = datetime.now(UTC)
    with store.write() as connection:
        for n in range(count):
            path = f"/f/{n}.xml"
            items = [(f"s{n}-e{e}", f"Feed {n} entry {e}", f"<p>{n}.{e}</p>") for e in range(2)]
            server.route(path, body=rss(items, title=f"Feed {n}"), headers=RSS_HEADERS, delay=delay)
            add_source(
                connection, kind="feed", url=server.url(path, host=host_of(n, hosts)), now=now
            )


def worker(url: str, *options: str) -> subprocess.Popen[str]:
    """An `incoming worker` process on `url` (parsing in-process: several share 2 cores)."""
    return subprocess.Popen(
        [
            INCOMING,
            "--database",
            url,
            "worker",
            "--allow-private-addresses",
            "--no-parse-processes",
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> str:
    """Wait for a process to end well; its standard error."""
    _, errors = process.communicate(timeout=timeout)
    assert process.returncode == 0, errors
    return errors


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], *, timeout: float, every: float = 0.05) -> float:
    """Poll `check` until true; the seconds it took (AssertionError after `timeout`)."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not so after {timeout} s")
        time.sleep(every)
    return time.monotonic() - started


def count_sources(store: Store, *conditions: object) -> int:
    with store.read() as connection:
        query = select(func.count()).select_from(sources).where(*conditions)  # type: ignore[arg-type]
        return connection.execute(query).scalar_one()
