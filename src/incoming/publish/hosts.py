"""Which Host names the site answers for: the defence against Host header poisoning.

Absolute URLs (feeds' links and ids) come from `base_url` when it is set, else from the
request's Host. A Host that no setting names is answered 400 before any page is built, so
a forged one can reach neither a feed nor a cache, and a malformed one never reaches output.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = rf"(?:{_LABEL}\.)*{_LABEL}\.?|\[[0-9a-f:.]+\]"
_HOST_HEADER = re.compile(rf"({_NAME})(?::[0-9]{{1,5}})?")
_PATTERN = re.compile(rf"\*|\.?(?:{_NAME})")
_ANY_ADDRESS = frozenset({"", "0.0.0.0", "::", "[::]"})
REFUSED_MESSAGE = (
    b"Bad Request: this site does not answer for that host name. Set base_url to the site's "
    b"public address (INCOMING_BASE_URL, `incoming serve --base-url`, or base_url in "
    b"incoming.toml), or add the name to allowed_hosts (INCOMING_ALLOWED_HOSTS, "
    b"--allowed-host). See docs/configuration.md.\n"
)


def _bracketed(name: str) -> str:
    """IPv6 addresses as a Host header carries them: in brackets."""
    return f"[{name}]" if ":" in name and not name.startswith("[") else name


def is_host_pattern(pattern: str) -> bool:
    """A name, an address, '.domain' (it and its subdomains) or '*' (any name)."""
    return _PATTERN.fullmatch(_bracketed(pattern.lower())) is not None


def host_name(header: str) -> str | None:
    """The name in a Host header, lowercased, without port or final dot; None if malformed."""
    found = _HOST_HEADER.fullmatch(header.strip().lower())
    return found.group(1).rstrip(".") if found else None


def default_allowed_hosts(bind: str) -> tuple[str, ...]:
    """Loopback names, and the name the server binds when that is one name, not 'any'."""
    name = _bracketed(bind.lower())
    if name in _ANY_ADDRESS or name in LOOPBACK_HOSTS:
        return LOOPBACK_HOSTS
    return (*LOOPBACK_HOSTS, name)


class HostPolicy:
    """The allowed names: `allowed_hosts` (loopback names when empty) and base_url's host."""

    def __init__(self, allowed_hosts: Iterable[str], base_url: str | None) -> None:
        patterns = [_bracketed(p.lower()).rstrip(".") for p in allowed_hosts] or [*LOOPBACK_HOSTS]
        if base_url is not None and urlsplit(base_url).hostname:
            patterns.append(_bracketed(str(urlsplit(base_url).hostname)))
        self.any = "*" in patterns
        self.names = frozenset(p for p in patterns if not p.startswith("."))
        self.domains = tuple(p for p in patterns if p.startswith("."))

    def allows(self, header: str) -> bool:
        name = host_name(header)
        if name is None:
            return False
        if self.any or name in self.names:
            return True
        return any(name.endswith(domain) or name == domain[1:] for domain in self.domains)


class AllowedHostsMiddleware:
    """Answers 400, with what to set, to a request whose Host the policy does not allow.

    A request without Host (HTTP/1.0) passes: URLs are then built from the server's own
    address, never from the client.
    """

    def __init__(self, app: ASGIApp, *, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy
        self._warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = next((value for name, value in scope["headers"] if name == b"host"), None)
        if host is None or self.policy.allows(host.decode("latin-1")):
            await self.app(scope, receive, send)
            return
        if not self._warned:
            self._warned = True
            log.warning("refused a request for a host name not allowed (set base_url)")
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(REFUSED_MESSAGE)).encode()),
                    (b"cache-control", b"no-store"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": REFUSED_MESSAGE})
