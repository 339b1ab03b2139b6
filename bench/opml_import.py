"""OPML import benchmark: a large list in one transaction against Incoming's batches, while
another writer (as a login or an `incoming add` would) keeps asking for SQLite's write lock.

    .venv/bin/python -m bench.opml_import                 # 48,500 feeds, as in issue 19
    .venv/bin/python -m bench.opml_import --feeds 5000

One run, the same generated list (tests/sources/feeds.py `opml`), each way into a fresh SQLite
file: "one transaction" is the import with the batch size set above the list's length and no
gap (what Incoming did before), "batches" is Incoming's own. Meanwhile a thread with its own
engine writes one row every 50 ms (a short `BEGIN IMMEDIATE` transaction). Prints the import's
wall time and the other writer's longest and median wait for the lock, and their ratios.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text
from tests.sources.feeds import opml

from incoming.sources import service
from incoming.store.engine import open_store


def _run(data: bytes, folder: Path, *, batch: int, gap: float) -> tuple[float, list[float]]:
    """The import's seconds, and each of the other writer's waits for the lock."""
    url = f"sqlite:///{folder / f'incoming-{batch}.db'}"
    importer, other = open_store(url), open_store(url)
    with other.write() as connection:
        connection.execute(text("CREATE TABLE pings (at REAL)"))
    waits: list[float] = []
    done = threading.Event()

    def ping() -> None:
        while not done.is_set():
            started = time.perf_counter()
            with other.write() as connection:
                connection.execute(text("INSERT INTO pings VALUES (:at)"), {"at": started})
            waits.append(time.perf_counter() - started)
            done.wait(0.05)

    saved = service.IMPORT_BATCH, service.WRITERS_GAP_SECONDS
    service.IMPORT_BATCH, service.WRITERS_GAP_SECONDS = batch, gap
    pinger = threading.Thread(target=ping)
    try:
        pinger.start()
        started = time.perf_counter()
        report = service.import_opml(importer, data)
        seconds = time.perf_counter() - started
    finally:
        done.set()
        pinger.join()
        service.IMPORT_BATCH, service.WRITERS_GAP_SECONDS = saved
        importer.close()
        other.close()
    assert len(report.added) == data.count(b"xmlUrl=")
    return seconds, waits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=48_500)
    feeds = parser.parse_args().feeds
    data = opml(feeds)
    with tempfile.TemporaryDirectory() as folder:
        whole = _run(data, Path(folder), batch=feeds + 1, gap=0.0)
        batched = _run(
            data, Path(folder), batch=service.IMPORT_BATCH, gap=service.WRITERS_GAP_SECONDS
        )
    print(f"{feeds:,} feeds; another writer asking for the lock every 50 ms")
    print(f"{'':18}{'import s':>10}{'longest wait s':>16}{'median wait s':>15}")
    for name, (seconds, waits) in (("one transaction", whole), ("batches", batched)):
        print(f"{name:18}{seconds:10.1f}{max(waits):16.2f}{statistics.median(waits):15.3f}")
    print(
        f"batches / one transaction: import time x{batched[0] / whole[0]:.2f}, "
        f"longest wait x{max(batched[1]) / max(whole[1]):.3f}"
    )


if __name__ == "__main__":
    main()
