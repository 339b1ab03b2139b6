"""HTTP for rendered pages: validators and 304s, compressed variants made once, security headers.

A `Rendered` body is compressed at most once per encoding and then served from memory, so a
cached page costs no rendering and no compression however often it is asked for.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime

import brotli
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
)
PAGE_CACHE_CONTROL = "public, max-age=60"
FEED_CACHE_CONTROL = "public, max-age=300"
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
ASSET_CACHE_CONTROL = "public, max-age=86400"
MIN_COMPRESSED_BYTES = 512
_ENCODERS = {
    "br": lambda body: brotli.compress(body, quality=6),
    "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0),
}


@dataclass(slots=True)
class Rendered:
    """A response body with what a cache needs to know about it."""

    body: bytes
    media_type: str
    etag: str
    last_modified: datetime
    cache_control: str = PAGE_CACHE_CONTROL
    canonical_path: str | None = None  # pages reachable under other paths redirect here
    compressible: bool = True
    created: float = field(default_factory=time.monotonic)
    _headers: dict[str, str] = field(init=False)
    _encoded: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._headers = {
            "ETag": self.etag,
            "Last-Modified": http_date(self.last_modified),
            "Cache-Control": self.cache_control,
            "Vary": "Accept-Encoding",
        }

    def encoded(self, encoding: str) -> bytes:
        if encoding not in self._encoded:
            self._encoded[encoding] = _ENCODERS[encoding](self.body)
        return self._encoded[encoding]


def http_date(moment: datetime) -> str:
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def is_not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 13.2.2: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        wanted = _opaque(etag)
        return any(
            tag.strip() == "*" or _opaque(tag.strip()) == wanted for tag in if_none_match.split(",")
        )
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False
    return last_modified.replace(microsecond=0) <= since


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def accepted_encoding(request: Request) -> str | None:
    """The best encoding we have that the client accepts (brotli over gzip), else None."""
    accepted: dict[str, float] = {}
    for item in request.headers.get("accept-encoding", "").split(","):
        name, _, parameters = item.partition(";")
        quality = 1.0
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        accepted[name.strip().lower()] = quality
    return next((name for name in _ENCODERS if accepted.get(name, 0) > 0), None)


def respond(request: Request, rendered: Rendered, *, status_code: int = 200) -> Response:
    """The rendered body as asked: 304 when the client has it, else compressed if accepted."""
    headers = dict(rendered._headers)
    if status_code == 200 and is_not_modified(request, rendered.etag, rendered.last_modified):
        return Response(status_code=304, headers=headers)
    body = rendered.body
    worth_it = rendered.compressible and len(body) >= MIN_COMPRESSED_BYTES
    encoding = accepted_encoding(request) if worth_it else None
    if encoding is not None:
        body = rendered.encoded(encoding)
        headers["Content-Encoding"] = encoding
    return Response(body, status_code, headers=headers, media_type=rendered.media_type)


class SecurityHeadersMiddleware:
    """Adds the site's CSP, nosniff and Referrer-Policy to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                present = {name.lower() for name, _ in raw}
                raw.extend(header for header in SECURITY_HEADERS if header[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CompressOthersMiddleware:
    """GZip for the answers not compressed ahead (API, admin); the site's pages skip it.

    Rendered pages carry their own compressed variants, so running them through a second
    compressor would only cost time on every request.
    """

    def __init__(self, app: ASGIApp, *, prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.compressing = GZipMiddleware(app, minimum_size=MIN_COMPRESSED_BYTES)
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            await self.compressing(scope, receive, send)
        else:
            await self.app(scope, receive, send)
