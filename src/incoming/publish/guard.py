"""uvicorn's HTTP protocol with the limits it lacks against clients that stall it directly.

uvicorn (httptools) reads a request's head without a size limit and without a deadline: one
120 MB header cost 30 s of CPU while every other client waited, and 1,100 half-sent requests
used up the 1,024 open files. This protocol closes a connection whose head is not complete
`header_timeout_seconds` after the connection (or its previous answer) began, answers 431 once
more than `max_header_bytes` of an unfinished head have arrived, and at `max_connections`
closes the connection that has waited longest for its head to make room for the new one
(a real client sends its head at once, so it is the stalling ones that go).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from uvicorn import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from incoming.publish.settings import SiteSettings

TOO_LARGE_BODY = b"Request header fields too large"
TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(TOO_LARGE_BODY)).encode() + b"\r\n"
    b"connection: close\r\n\r\n" + TOO_LARGE_BODY
)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How much a connection may send, and for how long, before its request head is complete;
    how many connections one process keeps open."""

    max_header_bytes: int
    header_timeout_seconds: float
    max_connections: int

    @classmethod
    def of(cls, settings: SiteSettings) -> ConnectionLimits:
        return cls(
            max_header_bytes=settings.max_header_bytes,
            header_timeout_seconds=settings.header_timeout_seconds,
            max_connections=settings.max_connections,
        )


DEFAULT_LIMITS = ConnectionLimits.of(SiteSettings())


class GuardedConfig(Config):
    """uvicorn's Config carrying the limits to every web process (it is pickled to them)."""

    def __init__(self, app: Any, *, limits: ConnectionLimits, **options: Any) -> None:
        super().__init__(app, http=GuardedProtocol, **options)
        self.connection_limits = limits


class GuardedProtocol(HttpToolsProtocol):
    """One connection, as uvicorn's httptools protocol, with the limits of `ConnectionLimits`."""

    def __init__(self, config: Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        # Under `uvicorn --http incoming.publish.guard:GuardedProtocol`, the default limits.
        self.limits: ConnectionLimits = getattr(config, "connection_limits", DEFAULT_LIMITS)
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_since = 0.0
        self.head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        room = self._make_room()
        super().connection_made(transport)
        if room:
            self._await_head()
        else:  # every open connection is a request under way: this one must wait its turn
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        awaiting = self.head_timer is not None
        super().data_received(data)
        if not awaiting or self.head_timer is None or self.transport.is_closing():
            return
        # Still no complete head: all of this read belongs to it (give or take the end of a
        # pipelined body), so the head is refused within one read of the limit.
        self.head_bytes += len(data)
        if self.head_bytes > self.limits.max_header_bytes:
            self._stop_head_timer()
            self.transport.write(TOO_LARGE)
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.timeout_keep_alive_task is not None:  # idle now, waiting for the next head
            self._await_head()

    def _await_head(self) -> None:
        self._stop_head_timer()
        self.head_bytes = 0
        self.head_since = time.monotonic()
        self.head_timer = self.loop.call_later(
            self.limits.header_timeout_seconds, self._head_timed_out
        )

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> bool:
        """Below the cap, True; at it, close the connection that has waited longest for its
        head and say True, or False if none is waiting (all are requests under way)."""
        if len(self.connections) < self.limits.max_connections:
            return True
        open_connections = [
            connection
            for connection in self.connections
            if not connection.transport.is_closing()  # closed ones leave on the next turn
        ]
        if len(open_connections) < self.limits.max_connections:
            return True
        waiting = [
            connection
            for connection in open_connections
            if isinstance(connection, GuardedProtocol) and connection.head_timer is not None
        ]
        if not waiting:
            return False
        min(waiting, key=lambda connection: connection.head_since)._head_timed_out()
        return True
