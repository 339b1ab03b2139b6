"""Site benchmark: requests per second and latency of the site at 100k and 1M articles.

    .venv/bin/python -m bench.site                      # 100k and 1M, 10 s per run
    .venv/bin/python -m bench.site --sizes 100000 --duration 5

Articles are generated straight into SQLite (executemany; bodies cleaned once by the real
pipeline, then reused), the site runs under uvicorn as `incoming serve` would, and wrk
(Debian's `wrk`) loads `/`, `/page/2000` and an article page with 32 connections. Beside it,
nginx (Debian's `nginx-light`) serves the very same front-page bytes as a static file. Everything
binds to 127.0.0.1. Prints a table, then the issue's floors: the front page at >= 10% of nginx's
rate, `/page/2000` p50 within 1.3x of `/`, 1M within 1.3x of 100k, server memory < 200 MB at 1M.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from tests.support.processes import free_port as _free_port
from tests.support.processes import wait_until_up as _wait_until_up

from bench.corpus import TERMS, TOPICS, WORDS, article_html
from incoming.clean import clean_html
from incoming.derive import derive_text
from incoming.publish.urls import article_path, href
from incoming.store.engine import open_store

CONNECTIONS = 32
SOURCES = 200
LONG_EVERY = 100  # one article in a hundred is long (4 KB of source HTML); the rest are short
START = datetime(2020, 1, 1, tzinfo=UTC)
SERVER = """
import sys
from incoming.publish.server import serve
from incoming.publish.settings import SiteSettings
serve(sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]), settings=SiteSettings(refresh=False))
"""
NGINX = """
daemon off;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp;
  proxy_temp_path {root}/tmp;
  fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp;
  scgi_temp_path {root}/tmp;
  server {{
    listen 127.0.0.1:{port};
    root {root}/www;
    location / {{ default_type text/html; try_files /index.html =404; }}
  }}
}}
"""


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class SizeResult:
    loads: dict[str, Load]  # by path; the article's path is its own
    cold_ms: dict[str, float]  # the first request of each path, nothing cached yet
    memory_mb: float
    front_page: bytes


def _find(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    if found is None:
        raise RuntimeError(f"no {pattern!r} in:\n{text}")
    return found.group(1)


def _sqlite_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _title(n: int) -> str:
    return f"{TERMS[n % len(TERMS)]}与{WORDS[n % len(WORDS)]}: 第 {n} 篇"


def _bodies(rng: random.Random, count: int, size: int) -> list[tuple[str, str, str]]:
    """(content_html, content_text, excerpt_html) made by the real cleaning pipeline."""
    bodies = []
    for _ in range(count):
        html = clean_html(article_html(rng, size), "https://example.org/")
        derived = derive_text(html)
        bodies.append((html, derived.text, derived.excerpt_html))
    return bodies


def generate(path: Path, count: int) -> None:
    """A store of `count` articles over SOURCES feeds, one topic each, in about a minute."""
    open_store(f"sqlite:///{path}").close()  # the schema, by the migrations
    rng = random.Random(count)
    short, long = _bodies(rng, 32, 400), _bodies(rng, 4, 4000)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    now = _sqlite_time(START)
    with connection:
        connection.executemany(
            "INSERT INTO sources (id, kind, url, title, site_url, interval_seconds, "
            "error_count, created_at) VALUES (?, 'feed', ?, ?, ?, 3600, 0, ?)",
            [
                (
                    n,
                    f"https://feed{n}.example.org/rss",
                    f"Feed {n} 机器学习笔记",
                    f"https://feed{n}.example.org/",
                    now,
                )
                for n in range(1, SOURCES + 1)
            ],
        )
        connection.executemany(
            "INSERT INTO topics (id, slug, name) VALUES (?, ?, ?)",
            [(n, topic.lower(), topic) for n, topic in enumerate(TOPICS, 1)],
        )
    chunk = 50_000
    for first in range(1, count + 1, chunk):
        rows, links = [], []
        for n in range(first, min(first + chunk, count + 1)):
            updated = _sqlite_time(START + timedelta(minutes=n))
            html, text, excerpt = long[n % 4] if n % LONG_EVERY == 0 else short[n % 32]
            title = _title(n)
            rows.append(
                (
                    n,
                    n % SOURCES + 1,
                    f"g:{n}",
                    str(n),
                    f"https://example.org/p/{n}",
                    title,
                    "作者",
                    "zh",
                    updated,
                    updated,
                    updated,
                    html,
                    text,
                    excerpt,
                    f"{n:064x}",
                )
            )
            links.append((n, n % len(TOPICS) + 1, updated))
        with connection:
            connection.executemany(
                "INSERT INTO articles (id, source_id, identity, guid, url, title, author, "
                "language, published, updated, first_seen, content_html, content_text, "
                "excerpt_html, content_hash, gone) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                rows,
            )
            connection.executemany(
                "INSERT INTO article_topics (article_id, topic_id, updated) VALUES (?, ?, ?)",
                links,
            )
    connection.close()


def _milliseconds(value: str) -> float:
    unit = _find(r"(us|ms|s)$", value)
    return float(value.removesuffix(unit)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, duration: int) -> Load:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    )
    out = result.stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    rate = float(_find(r"Requests/sec:\s+([\d.]+)", out))
    p50, p99 = _find(r"\s50%\s+(\S+)", out), _find(r"\s99%\s+(\S+)", out)
    return Load(rate, _milliseconds(p50), _milliseconds(p99))


def resident_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(_find(r"VmRSS:\s+(\d+) kB", status)) / 1024


def _first_request_ms(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    client.get(path).raise_for_status()
    return (time.perf_counter() - started) * 1000


def bench_size(count: int, folder: Path, duration: int) -> SizeResult:
    database = folder / f"site-{count}.db"
    if not database.exists():
        started = time.perf_counter()
        generate(database, count)
        print(f"generated {count:,} articles in {time.perf_counter() - started:.0f} s", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, f"sqlite:///{database}", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"{base}/static/site.css", server)
        newest_long = count - count % LONG_EVERY
        article = href(article_path(newest_long, _title(newest_long)))
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/static/site.css")  # the connection is open before timing starts
            paths = ("/", "/page/2000", "/page/3000", article)
            cold = {path: _first_request_ms(client, path) for path in paths}
            front_bytes = client.get("/").content
        loads = {path: wrk(base + path, duration) for path in ("/", "/page/2000", article)}
        memory = resident_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return SizeResult(loads, cold, memory, front_bytes)


def bench_nginx(body: bytes, duration: int) -> Load:
    with tempfile.TemporaryDirectory(prefix="incoming-nginx-") as root:
        Path(root).chmod(0o755)  # nginx's workers drop privileges: they must read the page
        (Path(root) / "www").mkdir()
        (Path(root) / "tmp").mkdir()
        (Path(root) / "www" / "index.html").write_bytes(body)
        port = _free_port()
        config = Path(root) / "nginx.conf"
        config.write_text(NGINX.format(root=root, port=port))
        nginx = subprocess.Popen(
            [_nginx(), "-c", str(config), "-p", root],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/", nginx)
            return wrk(f"http://127.0.0.1:{port}/", duration)
        finally:
            nginx.terminate()
            nginx.wait(timeout=30)


def _nginx() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="article counts, comma-separated")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per URL")
    parser.add_argument(
        "--folder", type=Path, default=Path(tempfile.gettempdir()) / "incoming-bench"
    )
    options = parser.parse_args()
    for tool in ("wrk", _nginx()):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: apt-get install wrk nginx-light")
    options.folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(size) for size in options.sizes.split(",")]
    results = {count: bench_size(count, options.folder, options.duration) for count in sizes}
    nginx = bench_nginx(results[sizes[0]].front_page, options.duration)
    report(results, nginx)


def report(results: dict[int, SizeResult], nginx: Load) -> None:
    print(
        f"\n{'articles':>9}  {'target':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'cold ms':>8}"
    )
    for count, result in results.items():
        for path, load in result.loads.items():
            label = "/a/<long article>" if path.startswith("/a/") else path
            print(
                f"{count:>9,}  {label:<28} {load.requests_per_second:>9,.0f} "
                f"{load.p50_ms:>8.2f} {load.p99_ms:>8.2f} {result.cold_ms[path]:>8.1f}"
            )
        cold = result.cold_ms["/page/3000"]
        print(f"{count:>9,}  {'/page/3000 (first request)':<28} {'':>27} {cold:>8.1f}")
        print(f"{count:>9,}  {'server memory (RSS)':<28} {result.memory_mb:>9.0f} MB")
    print(
        f"{'':>9}  {'nginx, same front-page bytes':<28} {nginx.requests_per_second:>9,.0f} "
        f"{nginx.p50_ms:>8.2f} {nginx.p99_ms:>8.2f}"
    )
    print("\nfloors")
    for count, result in results.items():
        front, deep = result.loads["/"], result.loads["/page/2000"]
        share = front.requests_per_second / nginx.requests_per_second
        ratio = deep.p50_ms / front.p50_ms
        print(
            f"  {count:>9,}: front page at {share:.1%} of nginx (>= 10%): {_verdict(share >= 0.1)}"
        )
        print(
            f"  {count:>9,}: /page/2000 p50 {ratio:.2f}x the front page's (<= 1.3x): "
            f"{_verdict(ratio <= 1.3)}"
        )
    smallest, largest = min(results), max(results)
    if smallest != largest:
        for path in ("/", "/page/2000"):
            ratio = results[largest].loads[path].p50_ms / results[smallest].loads[path].p50_ms
            print(
                f"  {largest:,} vs {smallest:,} articles, {path} p50: {ratio:.2f}x (<= 1.3x): "
                f"{_verdict(ratio <= 1.3)}"
            )
    memory = results[largest].memory_mb
    print(f"  server memory at {largest:,}: {memory:.0f} MB (< 200 MB): {_verdict(memory < 200)}")


def _verdict(passed: bool) -> str:
    return "ok" if passed else "MISSED"


if __name__ == "__main__":
    main()
