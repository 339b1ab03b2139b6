"""PostgreSQL going away mid-fetch and coming back, on a private throwaway cluster.

The shared server on 5432 is never touched: each test module starts its own cluster (initdb
and pg_ctl, as the `postgres` user when run as root) on a free port with a temporary socket
folder, stops and starts that one, and removes it afterwards.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from incoming.publish.settings import SiteSettings
from incoming.sources import service
from incoming.store.articles import latest_articles
from incoming.store.engine import open_store
from tests.publish.support import TEST_HOSTS, site_client
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.databases import require
from tests.support.ports import free_port
from tests.support.server import FixtureServer

pytestmark = pytest.mark.postgres

INCOMING = str(Path(sys.executable).with_name("incoming"))
BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@dataclass
class Cluster:
    """A private PostgreSQL cluster that the test may stop and start at will."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, *command: str, check: bool = True) -> int:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_postgres, *command], check=check, capture_output=True, timeout=120
        )
        return done.returncode

    def pg_ctl(self, *args: str, check: bool = True) -> int:
        data = str(self.folder / "data")
        return self.run(f"{BINARIES[-1]}/pg_ctl", "-D", data, "-w", *args, check=check)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self.pg_ctl("-o", options, "-l", str(self.folder / "log"), "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    require(bool(BINARIES), "PostgreSQL's server binaries are not in /usr/lib/postgresql")
    folder = Path(tempfile.mkdtemp(prefix="incoming-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    running = Cluster(folder, free_port())
    running.run(f"{BINARIES[-1]}/initdb", "-D", str(folder / "data"), "-A", "trust", "-N")
    running.start()
    try:
        yield running
    finally:
        if running.pg_ctl("status", check=False) == 0:
            running.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _fetch(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [INCOMING, "--database", url, "fetch"],
        env={**os.environ, "INCOMING_ALLOW_PRIVATE_ADDRESSES": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _feed(n: int) -> bytes:
    return rss([(f"{n}-{i}", f"第 {i} 篇", "<p>正文</p>") for i in range(5)])


def test_a_restart_mid_fetch_is_reported_and_the_next_run_succeeds(
    cluster: Cluster, server: FixtureServer
) -> None:
    store = open_store(cluster.url)
    paths = [f"/slow{n}.xml" for n in range(4)]
    for n, path in enumerate(paths):
        server.route(path, body=_feed(n), headers=RSS_HEADERS, delay=2.0)
    opml = "".join(f"<outline type='rss' xmlUrl='{server.url(p)}'/>" for p in paths)
    service.import_opml(store, f"<opml><body>{opml}</body></opml>".encode())
    store.close()
    fetching = _fetch(cluster.url)
    deadline = time.monotonic() + 60
    while len(server.requests) < len(paths):  # every feed asked for: the fetch is under way
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cluster.stop()
    out, err = fetching.communicate(timeout=120)
    cluster.start()
    assert fetching.returncode == 1
    assert err.strip().splitlines()[-1].startswith("incoming: error: the database stopped")
    assert "Traceback" not in err
    print("the interrupted fetch said:", (out + err).strip().splitlines()[-1:])
    for n, path in enumerate(paths):
        server.route(path, body=_feed(n), headers=RSS_HEADERS)
    again = _fetch(cluster.url)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, out + err
    store = open_store(cluster.url)
    with store.read() as connection:
        assert len(latest_articles(connection, limit=100)) == 20
    store.close()


def test_the_site_answers_503_while_the_database_is_gone_and_recovers(cluster: Cluster) -> None:
    store = open_store(cluster.url)
    settings = SiteSettings(refresh=False, marker_ttl_seconds=0, allowed_hosts=TEST_HOSTS)

    async def get(paths: tuple[str, ...]) -> list[int]:
        async with site_client(store, settings) as client:
            return [(await client.get(path)).status_code for path in paths]

    paths = ("/", "/sources", "/api/v1/articles", "/search?q=x")
    try:
        assert asyncio.run(get(paths)) == [200] * len(paths)
        cluster.stop()
        try:
            assert asyncio.run(get(paths)) == [503] * len(paths)
        finally:
            cluster.start()
        assert asyncio.run(get(paths)) == [200] * len(paths)  # by itself: no restart of ours
    finally:
        store.close()
