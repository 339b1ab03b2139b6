"""`incoming serve --workers 2`: two real web processes on one port, one refresher, one
metrics view of them all, JSON logs, and a clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
from click.testing import CliRunner
from prometheus_client.multiprocess import MultiProcessCollector

from incoming.cli import cli
from incoming.store.engine import open_store
from incoming.store.sources import add_source
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.metrics import parse_samples, value
from tests.support.processes import INCOMING_COMMAND, children_of, free_port, wait_until_up
from tests.support.server import FixtureServer

FEED = rss([("w1", "Served by workers", "<p>Both answer.</p>")], title="Worker Wire")
DEADLINE_SECONDS = 90


def _poll(check, what: str, seconds: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _pids_that_served(folder: Path, route: str) -> set[int]:
    """The processes whose own metrics file counts a request to `route`."""
    served = set()
    for path in folder.glob("histogram_*.db"):
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            if any(
                sample.name.endswith("_sum") and sample.labels.get("route") == route
                for sample in family.samples
            ):
                served.add(int(path.stem.split("_")[1]))
    return served


def test_two_web_processes_answer_and_stop_cleanly(
    db_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS_HEADERS, etag='"w1"')
    store = open_store(db_url)
    with store.write() as connection:  # due at once: the refresher fetches it
        add_source(connection, kind="feed", url=server.url("/feed.xml"), now=datetime.now(UTC))
    store.close()
    metrics_dir, log = tmp_path / "metrics", tmp_path / "serve.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "INCOMING_ALLOW_PRIVATE_ADDRESSES": "1",
    }
    command = [*INCOMING_COMMAND, "--database", db_url, "--log-format", "json"]
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "serve", "--workers", "2", "--access-log", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        wait_until_up(f"{base}/static/site.css", process, timeout=DEADLINE_SECONDS)
        asked, counting = 0, threading.Lock()

        def front_page(_: object = None) -> httpx.Response:
            nonlocal asked
            with counting:  # from 8 threads: += alone could lose a count
                asked += 1
            return httpx.get(base, timeout=30)  # a fresh connection: either process may accept

        def scrape() -> dict:
            return parse_samples(httpx.get(f"{base}/metrics", timeout=10).text)

        _poll(
            lambda: value(scrape(), "incoming_fetches_total", kind="feed", outcome="new") == 1,
            "the refresh to fetch the feed",
        )
        _poll(lambda: "Served by workers" in front_page().text, "the new article")
        children = children_of(process.pid)

        with ThreadPoolExecutor(8) as pool:
            while len(_pids_that_served(metrics_dir, "/")) < 2 and asked < 2000:
                codes = [response.status_code for response in pool.map(front_page, range(40))]
                assert codes == [200] * 40
        served = _pids_that_served(metrics_dir, "/")
        assert len(served) == 2, f"only {served} answered {asked} requests"
        assert served <= children

        samples = scrape()  # any one process reports every process's counts
        requests = value(
            samples, "incoming_http_requests_total", route="/", method="GET", status="200"
        )
        assert requests == asked
        assert value(samples, "incoming_sources_due") == 0
        assert len(server.requests_to("/feed.xml")) == 1  # one refresher, not one per process
    finally:
        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=DEADLINE_SECONDS)
    assert returncode == 0, log.read_text()
    _poll(
        lambda: not [pid for pid in children if Path(f"/proc/{pid}").exists()], "no child left", 10
    )

    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= set(record) for record in records)
    started = [r for r in records if r["message"].startswith("Started server process")]
    assert len(started) == 2
    [fetched] = [r for r in records if r["logger"] == "incoming.sources.refresh"]
    assert fetched["outcome"] == "new"
    assert fetched["url"] == server.url("/feed.xml")
    assert fetched["source_id"] >= 1
    assert fetched["duration_ms"] > 0
    pages = [r for r in records if r["logger"] == "incoming.access" and r["route"] == "/"]
    assert len(pages) == asked
    assert {page["status"] for page in pages} == {200}
    assert all(page["path"] == "/" and page["duration_ms"] > 0 for page in pages)


def test_several_processes_cannot_share_an_in_memory_database() -> None:
    result = CliRunner().invoke(cli, ["--database", "sqlite://", "serve", "--workers", "2"])
    assert result.exit_code == 1
    assert "in-memory SQLite" in result.stderr
    assert result.stderr.strip().count("\n") == 0
