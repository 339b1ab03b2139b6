"""Fetching feeds over HTTP politely (validators, per-host limits) and defensively (caps, vetting).

Feeds are hostile input: a URL may point inward, a server may redirect forever, lie about its
size, send a compression bomb or drip one byte a second. Every such case ends in a FetchError
whose message names the URL and the problem, in bounded time and memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpcore
import httpx

from incoming.errors import FetchError
from incoming.fetch.decoding import BodyDecoder
from incoming.fetch.headers import parse_content_length, parse_max_age, parse_retry_after
from incoming.fetch.network import Resolver, VettingBackend, system_resolver
from incoming.fetch.settings import FetchSettings

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, "
    "text/html;q=0.5, */*;q=0.1"  # an HTML page may link to its feed
)
ACCEPT_ENCODING = "gzip, deflate, br"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_STATUSES = frozenset({301, 308})
TRANSPORT_PROBLEMS: tuple[tuple[type[httpx.HTTPError], str], ...] = (
    (httpx.ConnectTimeout, "timed out connecting"),
    (httpx.ReadTimeout, "timed out waiting for data"),
    (httpx.TimeoutException, "timed out"),
    (httpx.ConnectError, "cannot connect"),
    (httpx.RemoteProtocolError, "broken HTTP response"),
    (httpx.HTTPError, "connection failed"),
)
DEFAULT_SETTINGS = FetchSettings()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch got: a fresh body (status 200, or another 2xx) or 304, nothing changed.

    On a 304 the validators sent are kept unless the server sent new ones.
    """

    url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    permanent_url: str | None
    max_age: int | None


@dataclass(frozen=True, slots=True)
class _Answer:
    """One hop's response: headers, status and (for a final answer) the decoded body."""

    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """Fetches many URLs concurrently through one httpx client; use as `async with`.

    At most `max_connections` requests run at once, and at most `max_per_host` to any one
    host name, however many fetches are started together. `resolver` turns host names into
    addresses (the system's resolver by default; tests map names to 127.0.0.1 with it).
    """

    def __init__(
        self, settings: FetchSettings = DEFAULT_SETTINGS, *, resolver: Resolver = system_resolver
    ) -> None:
        self._settings = settings
        self._resolver = resolver
        self._client: httpx.AsyncClient | None = None
        self._connection_slots = asyncio.Semaphore(settings.max_connections)
        self._host_slots: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.max_per_host)
        )

    @property
    def settings(self) -> FetchSettings:
        return self._settings

    async def __aenter__(self) -> Fetcher:
        self._client = self._build_client()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _build_client(self) -> httpx.AsyncClient:
        settings = self._settings
        limits = httpx.Limits(
            max_connections=settings.max_connections,
            max_keepalive_connections=settings.max_connections,
        )
        transport = httpx.AsyncHTTPTransport(verify=_ssl_context(), limits=limits, trust_env=False)
        # httpx has no public hook for the network backend; its transport delegates everything
        # to this pool, which we rebuild with the same settings plus the vetting backend.
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=VettingBackend(
                allow_private=settings.allow_private_addresses,
                allowed_networks=settings.allowed_networks,
                resolver=self._resolver,
            ),
        )
        return httpx.AsyncClient(
            transport=transport,
            trust_env=False,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url`, following redirects; conditional when validators are given.

        Raises FetchError (BlockedAddressError for refused addresses) naming the URL.
        """
        if self._client is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(...) as fetcher:`")
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            answer, permanent = await self._follow_redirects(self._client, url, headers)
        except FetchError as exc:
            raise _about(_display(url), exc) from exc
        return FetchResult(
            url=str(answer.url),
            status=answer.status,
            body=answer.body,
            content_type=answer.headers.get("Content-Type"),
            etag=answer.headers.get("ETag") or (etag if answer.status == 304 else None),
            last_modified=answer.headers.get("Last-Modified")
            or (last_modified if answer.status == 304 else None),
            permanent_url=str(answer.url) if permanent else None,
            max_age=parse_max_age(answer.headers.get("Cache-Control")),
        )

    async def _follow_redirects(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str]
    ) -> tuple[_Answer, bool]:
        """The final answer, and whether it was reached only through permanent redirects."""
        target = _checked_url(url)
        visited = {target.copy_with(fragment=None)}
        statuses: list[int] = []
        budget = self._settings.total_timeout
        while True:
            started = asyncio.get_running_loop().time()
            try:
                answer = await self._exchange(client, target, headers, budget)
            except FetchError as exc:
                if statuses:
                    raise _about(f"redirected to {_display(str(target))}", exc) from exc
                raise
            budget -= asyncio.get_running_loop().time() - started
            if answer.status not in REDIRECT_STATUSES:
                permanent = bool(statuses) and PERMANENT_REDIRECT_STATUSES.issuperset(statuses)
                return answer, permanent
            statuses.append(answer.status)
            if len(statuses) > self._settings.max_redirects:
                raise FetchError(f"more than {self._settings.max_redirects} redirects")
            target = _redirect_target(answer)
            if target.copy_with(fragment=None) in visited:
                raise FetchError(f"redirect loop (back to {_display(str(target))})")
            visited.add(target.copy_with(fragment=None))

    @contextlib.asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot for `host` first, then a connection slot (never the reverse)."""
        async with self._host_slots[host], self._connection_slots:
            yield

    async def _exchange(
        self, client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str], budget: float
    ) -> _Answer:
        """One request/response, bounded by `budget` seconds once a slot is free."""
        async with self._slot(url.host):
            try:
                async with asyncio.timeout(budget):
                    return await self._request(client, url, headers)
            except TimeoutError:
                raise FetchError(
                    f"gave up after {self._settings.total_timeout:g} s in total"
                ) from None
            except httpx.HTTPError as exc:
                problem = next(text for kind, text in TRANSPORT_PROBLEMS if isinstance(exc, kind))
                raise FetchError(f"{problem} ({exc})" if str(exc) else problem) from exc

    async def _request(
        self, client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str]
    ) -> _Answer:
        async with client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status in REDIRECT_STATUSES or status == 304:
                return _Answer(url, status, response.headers, b"")
            if not response.is_success:
                raise _status_error(response)
            body = await self._read_body(response)
            return _Answer(url, status, response.headers, body)

    async def _read_body(self, response: httpx.Response) -> bytes:
        """The decoded body, refused as soon as it (or its compressed form) passes the cap."""
        cap = self._settings.max_body_bytes
        too_large = FetchError(f"body larger than {_size(cap)}", status=response.status_code)
        declared = parse_content_length(response.headers.get("Content-Length"))
        if declared is not None and declared > cap:
            raise too_large
        decoder = BodyDecoder(response.headers.get("Content-Encoding"))
        body = bytearray()
        received = 0
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > cap:
                raise too_large
            for piece in decoder.decode(chunk):
                body += piece
                if len(body) > cap:
                    raise too_large
        return bytes(body)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Certificate checking as httpx does it; built once, as loading the CA bundle is slow."""
    return httpx.create_ssl_context(trust_env=False)


def _checked_url(url: str | httpx.URL) -> httpx.URL:
    """`url` parsed, if it is one we may fetch: http(s), a host, and no credentials."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {parsed.scheme or 'none'}")
    if not parsed.host:
        raise FetchError("the URL has no host")
    if parsed.userinfo:
        raise FetchError("URLs with credentials (user:password@) are refused")
    return parsed


def _redirect_target(answer: _Answer) -> httpx.URL:
    location = answer.headers.get("Location")
    if not location:
        raise FetchError(f"HTTP {answer.status} redirect without a Location")
    try:
        return _checked_url(answer.url.join(location))
    except httpx.InvalidURL as exc:
        raise FetchError(f"redirect to an invalid URL ({exc})") from exc
    except FetchError as exc:
        raise _about(f"redirect to {_display(location)}", exc) from exc


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    return FetchError(
        f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip(),
        status=status,
        retry_after=parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC)),
    )


def _about(subject: str, exc: FetchError) -> FetchError:
    """The same error (same class, status, retry_after) with `subject: ` before its message."""
    return type(exc)(f"{subject}: {exc}", status=exc.status, retry_after=exc.retry_after)


def _display(url: str) -> str:
    """`url` fit for messages and logs: credentials (user:password@, token@) are masked."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    return str(parsed.copy_with(userinfo=b"***")) if parsed.userinfo else url


def _size(byte_count: int) -> str:
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if byte_count >= scale and byte_count % scale == 0:
            return f"{byte_count // scale} {unit}"
    return f"{byte_count} bytes"
