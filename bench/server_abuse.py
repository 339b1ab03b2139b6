"""Clients that stall the server directly, against uvicorn (as is, tuned), `incoming serve`,
hypercorn and granian, each serving the same app and store on 127.0.0.1:

    .venv/bin/pip install -e '.[bench]'      # granian and hypercorn
    .venv/bin/python -m bench.server_abuse
    .venv/bin/python -m bench.server_abuse --huge-mb 120 --stalling 1100 --duration 15

Attacks, one at a time, each bounded in count and time: (a) one request with a huge header;
(b) slowloris: connections sending their headers a byte a second; (c) idle connections that
never send a byte. Meanwhile a normal client GETs / on a fresh connection every 0.25 s; the
table gives its latency (p50, max) and failures, how many attackers the server closed, and how
long after the attack a GET is answered again; "quiet" is the same GET with no attack.
Every server runs with the common default of 1,024 open files (soft limit), as attacked.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.abuse import Answer, Probe, Stalling, get, huge_header
from tests.support.processes import INCOMING_COMMAND, free_port

from incoming.sources.service import ensure_demo_source
from incoming.store.engine import open_store

FACTORY = "incoming.publish.factory:app_from_environment"
OPEN_FILES = 1024
QUIET_REQUESTS = 300


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    argv: list[str]  # "{port}" is replaced by the port


PY = sys.executable
SERVERS = [
    Server(
        "uvicorn, defaults (httptools)",
        [PY, "-m", "uvicorn", "--factory", FACTORY, "--port", "{port}", "--no-access-log"],
    ),
    Server(
        "uvicorn h11, tuned",
        [
            *(PY, "-m", "uvicorn", "--factory", FACTORY, "--port", "{port}", "--no-access-log"),
            *("--http", "h11", "--h11-max-incomplete-event-size", "32768"),
            *("--limit-concurrency", "900", "--timeout-keep-alive", "5", "--backlog", "2048"),
        ],
    ),
    Server(
        "incoming serve (guarded uvicorn)",
        [*INCOMING_COMMAND, "serve", "--no-refresh", "--port", "{port}"],
    ),
    Server(
        "hypercorn, defaults", [PY, "-m", "hypercorn", "-b", "127.0.0.1:{port}", FACTORY + "()"]
    ),
    Server(
        "granian, defaults",
        [
            *(PY, "-m", "granian", "--interface", "asgi", "--factory", "--no-ws"),
            *("--host", "127.0.0.1", "--port", "{port}", FACTORY),
        ],
    ),
    Server(
        "granian, 10 s header timeout",
        [
            *(PY, "-m", "granian", "--interface", "asgi", "--factory", "--no-ws"),
            *("--http1-header-read-timeout", "10000"),
            *("--host", "127.0.0.1", "--port", "{port}", FACTORY),
        ],
    ),
]


def _default_open_files() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(OPEN_FILES, hard), hard))


@contextmanager
def running(server: Server, database: str) -> Iterator[int]:
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in server.argv]
    environment = os.environ | {"INCOMING_DATABASE_URL": database}
    process = subprocess.Popen(
        argv,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_default_open_files,
    )
    try:
        deadline = time.monotonic() + 60
        while get(port, timeout=5).status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{server.name} did not come up")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _recovery(port: int) -> str:
    """How long after an attack ends until a normal GET is answered again (10 s at most)."""
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if get(port, timeout=5).status == 200:
            return f"{time.monotonic() - started:.1f} s"
        time.sleep(0.1)
    return "> 10 s"


def quiet(port: int, count: int) -> str:
    """A normal client alone: `count` GETs one after another, each on a fresh connection,
    after as many to warm the server up."""
    for _ in range(count):
        get(port)
    seconds = sorted(get(port).seconds for _ in range(count))
    p50, p99 = seconds[len(seconds) // 2], seconds[int(len(seconds) * 0.99)]
    return f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def attack_huge(port: int, size: int) -> str:
    result: list[Answer] = []
    with Probe(port).running() as probe:
        attacker = threading.Thread(target=lambda: result.append(huge_header(port, size)))
        attacker.start()
        attacker.join()
        time.sleep(0.5)
    answer = result[0]
    status = answer.status or "closed"
    return f"{status} after {answer.seconds:.1f} s; GET {probe.summary()}"


def attack_stalling(port: int, count: int, duration: float, *, drip: bool) -> str:
    stalling = Stalling(port, count, drip=drip, silent=not drip)
    with stalling.held(), Probe(port).running() as probe:
        time.sleep(duration)
        closed = stalling.closed_by_server()
    opened = len(stalling.sockets)
    return (
        f"GET {probe.summary()}; {closed}/{opened} closed, {stalling.refused} not connected; "
        f"after: {_recovery(port)}"
    )


def make_store(folder: Path) -> str:
    url = f"sqlite:///{folder / 'abuse.db'}"
    store = open_store(url)
    try:
        ensure_demo_source(store)
    finally:
        store.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge-mb", type=int, default=64, help="size of the huge header")
    parser.add_argument("--stalling", type=int, default=1100, help="slowloris/idle connections")
    parser.add_argument("--duration", type=float, default=12, help="seconds each attack lasts")
    parser.add_argument("--only", help="servers whose name contains this")
    arguments = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # room for our own attackers
    folder = Path(tempfile.mkdtemp(prefix="incoming-abuse-"))
    rows = []
    try:
        database = make_store(folder)
        for server in SERVERS:
            if arguments.only and arguments.only not in server.name:
                continue
            with running(server, database) as port:
                row = [
                    server.name,
                    quiet(port, QUIET_REQUESTS),
                    attack_huge(port, arguments.huge_mb * 1024 * 1024),
                    attack_stalling(port, arguments.stalling, arguments.duration, drip=True),
                    attack_stalling(port, arguments.stalling, arguments.duration, drip=False),
                ]
            rows.append(row)
            print(" | ".join(row), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print()
    command = " ".join([".venv/bin/python -m bench.server_abuse", *sys.argv[1:]])
    print(f"`{command}` on {os.cpu_count()} cores, {OPEN_FILES} open files a server")
    print(
        f"| server | quiet, {QUIET_REQUESTS} GETs | (a) one header of "
        f"{arguments.huge_mb} MB | (b) {arguments.stalling} slowloris, {arguments.duration:g} s "
        f"| (c) {arguments.stalling} idle, {arguments.duration:g} s |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
