"""A real HTTP/1.1 server on 127.0.0.1 for tests, programmable per path, in a background thread.

    with FixtureServer() as server:
        server.route("/feed.xml", body=b"...", headers={"Content-Type": "application/rss+xml"})
        server.route("/old", status=301, headers={"Location": "/feed.xml"})
        url = server.url("/feed.xml")  # http://127.0.0.1:PORT/feed.xml

Routes may be replaced at any time (a feed that changes). Besides plain answers it can
compress (gzip/deflate/br), answer 304 to matching validators, answer slowly (`delay`), drip
the body (`drip`), lie in Content-Length, send an endless chunked body, and it logs every
request and the most requests it saw in flight at once per host name. Hosts other than
127.0.0.1 reach it only through a resolver that maps them there (or "localhost").
"""

from __future__ import annotations

import gzip
import socket
import sys
import threading
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

import brotli

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": lambda data: brotli.compress(data, quality=5),
}
ENDLESS_CHUNK = b"<item>endless</item>\n" * 3000


@dataclass(frozen=True)
class Route:
    """How the server answers one path; see FixtureServer.route for the fields."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    drip: float | None = None
    content_length: int | None = None
    endless: bool = False
    close_delimited: bool = False


NOT_FOUND = Route(status=404, body=b"not found", headers={"Content-Type": "text/plain"})


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received; header names lower-cased, `host` without the port."""

    method: str
    path: str
    host: str
    headers: dict[str, str]


class _InFlight:
    """Requests in flight per host name, and the most ever seen at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._current: Counter[str] = Counter()
        self.max_seen: Counter[str] = Counter()
        self.max_seen_total = 0

    @contextmanager
    def track(self, host: str) -> Iterator[None]:
        with self.lock:
            self._current[host] += 1
            self.max_seen[host] = max(self.max_seen[host], self._current[host])
            self.max_seen_total = max(self.max_seen_total, self._current.total())
        try:
            yield
        finally:
            with self.lock:
                self._current[host] -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins every handler thread: a clean stop
    block_on_close = True
    request_queue_size = 1024  # hundreds of clients connect at once

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[RecordedRequest] = []
        self.in_flight = _InFlight()
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look up the host's FQDN, which can be slow offline.
        super(ThreadingHTTPServer, self).server_bind()
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request: socket.socket, client_address: object) -> None:
        with self.lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def disconnect_all(self) -> None:
        """Wake handler threads blocked on a client by cutting every open connection."""
        with self.lock:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.stopping.is_set():
            return  # the client went away (or we are stopping): normal for these tests
        if error is not None:
            self.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    timeout = 10  # idle keep-alive connections end on their own
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests read the request log instead."""

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        host = self.headers.get("Host", "").rsplit(":", 1)[0].strip("[]").lower()
        headers = {name.lower(): value for name, value in self.headers.items()}
        with self.server.lock:
            self.server.log.append(RecordedRequest("GET", self.path, host, headers))
            route = self.server.routes.get(self.path) or self.server.routes.get(path, NOT_FOUND)
        # In flight from arrival until the answer starts: the client cannot finish earlier.
        with self.server.in_flight.track(host):
            if self.server.stopping.wait(route.delay):
                return
        if self._not_modified(route):
            self._send_head(304, route)
            self.end_headers()
            return
        self._send_head(route.status, route)
        if route.endless:
            self._send_endless()
        elif route.close_delimited:
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self._send_body(route)
        else:
            length = len(route.body) if route.content_length is None else route.content_length
            self.send_header("Content-Length", str(length))
            if length != len(route.body):
                self.close_connection = True  # the framing is a lie: never reuse it
            self.end_headers()
            self._send_body(route)

    def _not_modified(self, route: Route) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip() for tag in if_none_match.split(",")}
            return route.etag is not None and bool(tags & {route.etag, "*"})
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None or route.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since >= parsedate_to_datetime(route.last_modified)

    def _send_head(self, status: int, route: Route) -> None:
        self.send_response(status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag is not None:
            self.send_header("ETag", route.etag)
        if route.last_modified is not None:
            self.send_header("Last-Modified", route.last_modified)

    def _send_body(self, route: Route) -> None:
        if route.drip is None:
            self.wfile.write(route.body)
            return
        for index in range(len(route.body)):
            if self.server.stopping.wait(route.drip):
                return
            self.wfile.write(route.body[index : index + 1])

    def _send_endless(self) -> None:
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"%x\r\n%s\r\n" % (len(ENDLESS_CHUNK), ENDLESS_CHUNK)
        while not self.server.stopping.is_set():
            self.wfile.write(chunk)  # ends with an OSError once the client hangs up


class FixtureServer:
    """Start with `with FixtureServer() as server:`; stops cleanly (threads joined) on exit."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FixtureServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.disconnect_all()
        self._server.server_close()
        self._thread.join()
        if self._server.errors and exc_type is None:
            raise RuntimeError(f"the fixture server failed: {self._server.errors!r}")

    @property
    def port(self) -> int:
        return self._server.server_port

    def url(self, path: str = "/", *, host: str = "127.0.0.1") -> str:
        """The URL of `path` on this server, naming it as `host` (which must reach 127.0.0.1)."""
        return f"http://{host}:{self.port}{path}"

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        encoding: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float = 0.0,
        drip: float | None = None,
        content_length: int | None = None,
        endless: bool = False,
        close_delimited: bool = False,
    ) -> None:
        """Answer GET `path` (with or without its query) like this, replacing any earlier route.

        encoding: "gzip", "deflate" or "br": `body` is compressed and Content-Encoding set.
        etag / last_modified (or ETag / Last-Modified in `headers`): sent, and a request with a
        matching If-None-Match / If-Modified-Since gets 304.
        delay: seconds before answering. drip: seconds between single bytes of the body.
        content_length: sent instead of the true length (a lie). endless: a chunked body that
        never ends. close_delimited: no length; the body ends when the connection closes.
        """
        all_headers = {}
        for name, value in (headers or {}).items():  # validators in `headers` count too
            if name.lower() == "etag" and etag is None:
                etag = value
            elif name.lower() == "last-modified" and last_modified is None:
                last_modified = value
            else:
                all_headers[name] = value
        if encoding is not None:
            body = ENCODERS[encoding](body)
            all_headers["Content-Encoding"] = encoding
        with self._server.lock:
            self._server.routes[path] = Route(
                status=status,
                body=body,
                headers=all_headers,
                etag=etag,
                last_modified=last_modified,
                delay=delay,
                drip=drip,
                content_length=content_length,
                endless=endless,
                close_delimited=close_delimited,
            )

    def redirect(self, path: str, location: str, *, status: int = 302) -> None:
        """Answer `path` with a redirect to `location` (absolute, or relative to the server)."""
        self.route(path, status=status, headers={"Location": location})

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first."""
        with self._server.lock:
            return list(self._server.log)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [request for request in self.requests if urlsplit(request.path).path == path]

    def max_concurrent(self, host: str | None = None) -> int:
        """Most requests in flight at once for `host` (a name, no port), or for all hosts."""
        in_flight = self._server.in_flight
        return in_flight.max_seen_total if host is None else in_flight.max_seen[host]
