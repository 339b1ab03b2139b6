"""Scale benchmark: ingest throughput of 1, 2 and 4 `incoming worker` processes on one PostgreSQL.

    .venv/bin/python -m bench.scale                     # 240 feeds x 10 entries, 12 hosts
    .venv/bin/python -m bench.scale --feeds 120 --entries 5 --workers 1 2

For each worker count: a fresh schema, the same generated feeds (bench/corpus.py, ~4.6 KB
bilingual entries with formulas and code) served by the fixture HTTP server on 127.0.0.1 under
several `*.localhost` host names, then that many `incoming worker --once` processes started
together; timed from their start until the last one exits, startup included. Prints sources
and articles per second, each count's ratio to one worker, and the CPU seconds the workers
used (near the wall time times the cores: the run was CPU-bound). Parsing stays in each worker's
process (--no-parse-processes): the workers are the parallelism measured. On a machine with
fewer cores than workers, expect the ratio to stop at the core count.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tests.support.databases import fresh_schema
from tests.support.server import FixtureServer

from bench.corpus import feeds
from bench.ingest import POSTGRES, add_feeds
from incoming.store.articles import count_articles
from incoming.store.engine import open_store

INCOMING = str(Path(sys.executable).with_name("incoming"))
HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(workers: int, urls: list[str], expected: int, per_host: int) -> tuple[float, float]:
    """Seconds for `workers` processes to ingest every feed into a fresh schema, and the CPU
    seconds they used together."""
    with fresh_schema(POSTGRES, "bench") as database_url:
        store = open_store(database_url)
        try:
            add_feeds(store, urls)
            command = [INCOMING, "--database", database_url, "worker", "--once"]
            command += ["--allow-private-addresses", "--no-parse-processes"]
            command += ["--per-host", str(per_host), "--concurrency", "16"]
            started, cpu = time.perf_counter(), children_cpu()
            running = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(workers)]
            for process in running:
                _, errors = process.communicate()
                if process.returncode:
                    sys.exit(f"a worker failed: {errors.decode(errors='replace')}")
            seconds, cpu = time.perf_counter() - started, children_cpu() - cpu
            with store.read() as connection:
                stored = count_articles(connection)
        finally:
            store.close()
    if stored != expected:
        sys.exit(f"{workers} workers stored {stored} articles, expected {expected}")
    return seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=240)
    parser.add_argument("--entries", type=int, default=10)
    parser.add_argument("--hosts", type=int, default=12)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    corpus = list(feeds(args.feeds, args.entries))
    total = args.feeds * args.entries
    load = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(f"{args.feeds} feeds x {args.entries} entries over {args.hosts} hosts")
    print(f"{os.cpu_count()} cores, load average before the run {load}")
    results: list[tuple[int, float, float]] = []
    with FixtureServer() as server:
        for path, body in corpus:
            server.route(path, body=body, headers=HEADERS)
        urls = [
            server.url(path, host=f"feed{n % args.hosts}.localhost")
            for n, (path, _) in enumerate(corpus)
        ]
        for workers in args.workers:
            results.append((workers, *run(workers, urls, total, args.per_host)))
    base = results[0][1]
    print(
        f"\n{'workers':>7} {'seconds':>8} {'sources/s':>10} {'articles/s':>11} {'ratio':>6} "
        f"{'worker CPU s':>12}"
    )
    for workers, seconds, cpu in results:
        print(
            f"{workers:>7} {seconds:>8.2f} {args.feeds / seconds:>10.1f} "
            f"{total / seconds:>11.1f} {base / seconds:>5.2f}x {cpu:>12.1f}"
        )
    print(
        f"reproduce: .venv/bin/python -m bench.scale --feeds {args.feeds} "
        f"--entries {args.entries} --hosts {args.hosts} --per-host {args.per_host} "
        f"--workers {' '.join(map(str, args.workers))}"
    )


if __name__ == "__main__":
    main()
