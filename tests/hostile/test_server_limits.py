"""Clients that stall `incoming serve` directly (issue 19, item 3): a huge request head, a
slowloris, and more half-open connections than the process has files for. A real `incoming
serve` on 127.0.0.1 each time, with a normal client's GET timed meanwhile."""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.abuse import (
    PARTIAL_HEAD,
    Probe,
    Stalling,
    get,
    huge_header,
    huge_request_line,
)
from tests.support.processes import INCOMING_COMMAND, free_port

HEADER_TIMEOUT = 2.0


@contextmanager
def serving(database: Path, *flags: str, open_files: int | None = None) -> Iterator[int]:
    """A live `incoming serve` with these flags (and this soft limit of open files)."""
    port = free_port()

    def limit_open_files() -> None:
        if open_files is not None:
            _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    process = subprocess.Popen(
        [
            *INCOMING_COMMAND,
            *("--database", f"sqlite:///{database}", "serve", "--no-refresh"),
            *("--port", str(port), *flags),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=limit_open_files,
    )
    try:
        deadline = time.monotonic() + 60
        while get(port, timeout=5).status != 200:
            assert process.poll() is None, "incoming serve exited"
            assert time.monotonic() < deadline, "incoming serve did not come up"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=60)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    database = tmp_path_factory.mktemp("limits") / "site.db"
    with serving(database, "--header-timeout-seconds", str(HEADER_TIMEOUT)) as port:
        yield port


@pytest.mark.parametrize("where", ["header", "request line"])
def test_a_huge_request_head_is_refused_at_once(port: int, where: str) -> None:
    started = time.monotonic()
    with Probe(port, every=0.05).running() as probe:
        send = huge_header if where == "header" else huge_request_line
        answer = send(port, 1024 * 1024)
        time.sleep(0.3)
    assert answer.status == 431
    assert time.monotonic() - started < 3
    assert probe.failed == 0
    assert max(probe.served) < 1.0


def test_a_large_head_within_the_limit_is_served(port: int) -> None:
    answer = huge_header(port, 16 * 1024)
    assert answer.status == 200


def test_many_huge_headers_leave_the_site_fast(port: int) -> None:
    """A 16 MB header once cost uvicorn seconds of CPU while other clients waited."""
    with Probe(port, every=0.05).running() as probe:
        for _ in range(3):
            assert huge_header(port, 16 * 1024 * 1024).status == 431
        time.sleep(0.3)
    assert probe.failed == 0
    assert max(probe.served) < 1.0


@pytest.mark.parametrize("drip", [True, False], ids=["slowloris", "silent"])
def test_a_connection_without_a_complete_head_is_closed_after_the_timeout(
    port: int, drip: bool
) -> None:
    stalling = Stalling(port, 3, drip=drip, silent=not drip, interval=0.3)
    with stalling.held():
        time.sleep(HEADER_TIMEOUT * 0.5)
        assert stalling.closed_by_server() == 0  # not before its time
        assert get(port).status == 200
        deadline = time.monotonic() + HEADER_TIMEOUT + 3
        while stalling.closed_by_server() < 3:
            assert time.monotonic() < deadline, "a stalling connection was left open"
            time.sleep(0.1)


def test_a_kept_alive_connection_gets_the_timeout_again_for_its_next_request(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(PARTIAL_HEAD + b"\r\n")
        assert connection.recv(65536).startswith(b"HTTP/1.1 200")
        connection.sendall(PARTIAL_HEAD)  # and never the end of it
        started = time.monotonic()
        while connection.recv(65536):  # the rest of the first answer, then the close
            pass
        assert time.monotonic() - started < HEADER_TIMEOUT + 3


def test_half_open_connections_beyond_the_open_files_leave_room_for_real_clients(
    tmp_path: Path,
) -> None:
    """1,100 half-sent requests once used up uvicorn's 1,024 files and reset everyone: here
    400 against 256 files (the soft limit the server starts with) and a long header timeout,
    so only the connection cap can save the real client."""
    with (
        serving(
            tmp_path / "site.db",
            "--header-timeout-seconds",
            "60",
            "--max-connections",
            "100",
            open_files=256,
        ) as port,
        Stalling(port, 400).held() as stalling,
    ):
        assert stalling.refused == 0
        answers = [get(port, timeout=5) for _ in range(5)]
        assert [answer.status for answer in answers] == [200] * 5
        assert max(answer.seconds for answer in answers) < 1.0
        assert stalling.closed_by_server() >= 300  # the oldest ones made room


@pytest.mark.parametrize(
    ("soft", "hard", "raised", "max_connections"),
    [(256, 4096, 1256, 1000), (256, 600, 600, 344), (2048, 4096, 2048, 1000)],
)
def test_the_open_files_limit_is_raised_to_fit_the_connections(
    soft: int, hard: int, raised: int, max_connections: int
) -> None:
    """In a process of its own, since it changes the process's limits."""
    probe = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({soft}, {hard}))\n"
        "from incoming.publish.server import connection_limits\n"
        "from incoming.publish.settings import SiteSettings\n"
        "limits = connection_limits(SiteSettings())\n"
        "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0], limits.max_connections)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert output.split() == [str(raised), str(max_connections)]
