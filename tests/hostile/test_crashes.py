"""Real `incoming` processes killed with SIGKILL, or run side by side on one SQLite file.

After every kill the database must pass `PRAGMA integrity_check`, every article stored before
must still be there exactly once, and a last fetch must complete everything. A kill comes after
a random number of the feeds were asked for (every other one also after the first write),
plus a random delay, from a fixed seed (printed;
INCOMING_KILL_SEED and INCOMING_KILLS change them).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.ports import free_port, wait_for_port
from tests.support.server import FixtureServer

INCOMING = str(Path(sys.executable).with_name("incoming"))
FEEDS = 12
SEED = int(os.environ.get("INCOMING_KILL_SEED", "20261201"))
KILLS = int(os.environ.get("INCOMING_KILLS", "20"))


def serve_feeds(server: FixtureServer, version: int) -> set[tuple[str, str]]:
    """FEEDS feeds of 15 + version items, every text changed by version: each fetch writes.

    Returns the (feed path, guid) of every item served."""
    served = set()
    for feed in range(FEEDS):
        items = [
            (f"f{feed}-{n}", f"第 {n} 篇 v{version}", f"<p>正文 {n}, 版本 {version}.</p>" * 8)
            for n in range(15 + version)
        ]
        server.route(f"/f{feed}.xml", body=rss(items, title=f"feed {feed}"), headers=RSS_HEADERS)
        served |= {(f"/f{feed}.xml", guid) for guid, _title, _html in items}
    return served


def incoming(database: Path, *args: str, **options: object) -> subprocess.Popen[str]:
    """`incoming --database ... ARGS` in a session of its own (its worker processes too)."""
    return subprocess.Popen(
        [INCOMING, "--database", f"sqlite:///{database}", *args],
        env={**os.environ, "INCOMING_ALLOW_PRIVATE_ADDRESSES": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        **options,
    )


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def fetch_all(database: Path) -> None:
    """A whole `incoming fetch`, which must succeed."""
    code, output = finish(incoming(database, "fetch"))
    assert code == 0, output


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL the process and the parse workers it started, as a power cut would."""
    with contextlib.suppress(ProcessLookupError):  # it had finished already
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)


def stored(database: Path) -> list[tuple[str, str]]:
    """(source URL path, guid) of every article, duplicates kept; after an integrity check."""
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = connection.execute(
            "SELECT s.url, a.guid FROM articles a JOIN sources s ON s.id = a.source_id"
        ).fetchall()
    return [("/" + url.rsplit("/", 1)[1], guid) for url, guid in rows]


def _written(database: Path, version: int) -> int:
    """How many articles already have the text of this round."""
    with sqlite3.connect(database) as connection:
        query = "SELECT count(*) FROM articles WHERE title LIKE ?"
        return connection.execute(query, (f"% v{version}",)).fetchone()[0]


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[tuple[FixtureServer, Path]]:
    """The fixture server with FEEDS feeds, all added to a fresh SQLite store."""
    database = tmp_path / "incoming.db"
    with FixtureServer() as server:
        serve_feeds(server, 0)
        opml = "".join(
            f"<outline type='rss' text='f{n}' xmlUrl='{server.url(f'/f{n}.xml')}'/>"
            for n in range(FEEDS)
        )
        (tmp_path / "feeds.opml").write_text(
            f"<opml version='2.0'><head/><body>{opml}</body></opml>"
        )
        code, output = finish(incoming(database, "import-opml", str(tmp_path / "feeds.opml")))
        assert code == 0, output
        yield server, database


def test_sigkill_during_fetch_loses_and_duplicates_nothing(
    feeds: tuple[FixtureServer, Path],
) -> None:
    server, database = feeds
    fetch_all(database)
    chooser = random.Random(SEED)
    print(f"kill seed {SEED}: {KILLS} kills, each after 1..{FEEDS} feeds were asked for")
    before = stored(database)
    kills = version = half_written = 0
    window = 0.3  # seconds of random delay; halved whenever a fetch finished before its kill
    while kills < KILLS:  # a kill that came after the fetch had finished does not count
        version += 1
        assert version <= 4 * KILLS, "the fetches kept finishing before the kill"
        served = serve_feeds(server, version)
        asked = len(server.requests) + chooser.randint(1, FEEDS)
        process = incoming(database, "fetch")
        while len(server.requests) < asked and process.poll() is None:
            time.sleep(0.005)
        while version % 2 and not _written(database, version) and process.poll() is None:
            time.sleep(0.005)  # every other kill waits for the first write of the round
        time.sleep(chooser.uniform(0.0, window))  # while it parses, cleans and writes
        running = process.poll() is None
        kills += running
        window = window if running else window / 2
        kill(process)
        after = stored(database)
        assert len(after) == len(set(after)), f"duplicates after kill {version}"
        assert set(before) <= set(after), f"articles lost after kill {version}"
        before = after
        half_written += 0 < _written(database, version) < len(served)
    served = serve_feeds(server, version + 1)
    fetch_all(database)
    assert sorted(stored(database)) == sorted(served)
    print(
        f"{kills} kills mid-fetch survived ({half_written} with the round half written), "
        f"{len(served)} articles: none lost or duplicated"
    )


def test_sigkill_of_the_site_while_it_refreshes(feeds: tuple[FixtureServer, Path]) -> None:
    server, database = feeds
    chooser = random.Random(SEED)
    before: list[tuple[str, str]] = []
    for version in range(3):
        serve_feeds(server, version)
        seen = len(server.requests)
        port = free_port()
        process = incoming(database, "serve", "--port", str(port))
        wait_for_port(port)
        deadline = time.monotonic() + 30
        while len(server.requests) == seen:  # the background refresh has begun
            assert time.monotonic() < deadline, "the site never refreshed"
            time.sleep(0.05)
        time.sleep(chooser.uniform(0.0, 1.0))
        kill(process)
        after = stored(database)
        assert len(after) == len(set(after))
        assert set(before) <= set(after)
        before = after
        # The next run must find them due again: make every source due now.
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE sources SET next_check_at = NULL")
    served = serve_feeds(server, 3)
    fetch_all(database)
    assert sorted(stored(database)) == sorted(served)


def _hammer(url: str, stop: threading.Event, statuses: list[int]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            for path in ("/", "/page/2", "/api/v1/articles", "/search?q=正文"):
                statuses.append(client.get(url + path).status_code)


def test_two_fetches_and_a_site_share_one_sqlite_file(
    feeds: tuple[FixtureServer, Path],
) -> None:
    """No "database is locked" reaches anyone: both fetches finish, every page answers."""
    server, database = feeds
    fetch_all(database)
    port = free_port()
    site = incoming(database, "serve", "--no-refresh", "--port", str(port))
    try:
        wait_for_port(port)
        stop = threading.Event()
        statuses: list[int] = []
        reader = threading.Thread(target=_hammer, args=(f"http://127.0.0.1:{port}", stop, statuses))
        reader.start()
        served = serve_feeds(server, 5)
        first, second = incoming(database, "fetch"), incoming(database, "fetch")
        results = [finish(first), finish(second)]
        stop.set()
        reader.join(timeout=60)
    finally:
        kill(site)
    for code, output in results:
        assert code == 0, output
        assert "locked" not in output.lower()
    assert statuses
    assert set(statuses) == {200}
    assert sorted(stored(database)) == sorted(served)
