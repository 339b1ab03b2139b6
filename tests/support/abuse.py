"""Clients that try to stall a web server directly, and a normal client timed meanwhile.

For servers started on 127.0.0.1 only; every loop is bounded in count and time. Used by
tests/hostile/test_server_abuse.py and bench/server_abuse.py.
"""

from __future__ import annotations

import contextlib
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

PARTIAL_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@dataclass(frozen=True, slots=True)
class Answer:
    """A request's outcome: its status (None if the connection failed) and how long it took."""

    status: int | None
    seconds: float


def _status(head: bytes) -> int | None:
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def get(port: int, path: str = "/", timeout: float = 10.0) -> Answer:
    """A normal client's GET on a fresh connection, read to its end."""
    started = time.monotonic()
    received = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            while chunk := connection.recv(65536):
                received += chunk
                if time.monotonic() - started > timeout:
                    raise TimeoutError
    except OSError:
        return Answer(None, time.monotonic() - started)
    return Answer(_status(received), time.monotonic() - started)


def huge_header(port: int, size: int, timeout: float = 60.0) -> Answer:
    """One request whose head holds a header of `size` bytes; the answer, or None if the
    server closed without one. Sending stops as soon as the server closes or answers."""
    started = time.monotonic()
    piece = b"a" * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(PARTIAL_HEAD + b"X-Huge: ")
            remaining = size
            while remaining > 0:
                connection.sendall(piece[:remaining])
                remaining -= len(piece)
                if time.monotonic() - started > timeout:
                    return Answer(None, time.monotonic() - started)
            connection.sendall(b"\r\n\r\n")
        except OSError:
            pass  # the server stopped reading: look for its answer
        try:
            head = connection.recv(4096)
        except OSError:
            head = b""
    return Answer(_status(head), time.monotonic() - started)


def huge_request_line(port: int, size: int, timeout: float = 10.0) -> Answer:
    """One request whose path is `size` bytes long; the answer, as `huge_header`'s."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        with contextlib.suppress(OSError):  # the server stopped reading: look for its answer
            connection.sendall(b"GET /" + b"a" * size + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            head = connection.recv(4096)
        except OSError:
            head = b""
    return Answer(_status(head), time.monotonic() - started)


@dataclass(slots=True)
class Stalling:
    """Connections held open: `drip` sends one more header byte every `interval` seconds
    (slowloris); without it they send a partial head once, or nothing (`silent`)."""

    port: int
    count: int
    drip: bool = False
    silent: bool = False
    interval: float = 1.0
    sockets: list[socket.socket] = field(default_factory=list)
    refused: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def open(self, deadline_seconds: float = 30.0) -> None:
        deadline = time.monotonic() + deadline_seconds
        for _ in range(self.count):
            if time.monotonic() > deadline:
                self.refused += 1
                continue
            try:
                connection = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                if not self.silent:
                    connection.sendall(PARTIAL_HEAD)
            except OSError:
                self.refused += 1
                continue
            connection.setblocking(False)
            self.sockets.append(connection)

    def _drip(self) -> None:
        while not self._stop.wait(self.interval):
            for connection in self.sockets:
                with contextlib.suppress(OSError):
                    connection.send(b"X")

    def closed_by_server(self) -> int:
        """How many of the open connections the server has closed (or reset)."""
        closed = 0
        for connection in self.sockets:
            try:
                if connection.recv(65536) == b"":
                    closed += 1
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
        return closed

    @contextlib.contextmanager
    def held(self) -> Iterator[Stalling]:
        self.open()
        dripper = threading.Thread(target=self._drip, daemon=True) if self.drip else None
        if dripper is not None:
            dripper.start()
        try:
            yield self
        finally:
            self._stop.set()
            if dripper is not None:
                dripper.join()
            for connection in self.sockets:
                connection.close()


@dataclass(slots=True)
class Probe:
    """A normal client's GET every `every` seconds in a thread, for as long as it runs."""

    port: int
    every: float = 0.25
    timeout: float = 10.0
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.answers.append(get(self.port, timeout=self.timeout))
            self._stop.wait(self.every)

    @contextlib.contextmanager
    def running(self) -> Iterator[Probe]:
        thread = threading.Thread(target=self._run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    @property
    def served(self) -> list[float]:
        return [answer.seconds for answer in self.answers if answer.status == 200]

    @property
    def failed(self) -> int:
        return sum(answer.status != 200 for answer in self.answers)

    def summary(self) -> str:
        served = self.served
        if not served:
            return f"0/{len(self.answers)} ok"
        return (
            f"p50 {statistics.median(served) * 1000:.0f} ms, max {max(served) * 1000:.0f} ms, "
            f"{self.failed}/{len(self.answers)} failed"
        )
