"""What a running site may be told: its title, page sizes, caching and background refresh."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import asdict, dataclass, field

from incoming.errors import ConfigError
from incoming.fetch.settings import FetchSettings


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """Settings of one site; sizes are item counts, times seconds.

    `base_url` makes the links in feeds and OPML absolute; when None the request's own
    scheme and host are used (right unless a proxy rewrites them). `marker_ttl_seconds` is how
    long the store's change marker is trusted before it is read again: pages may lag the
    store by that much, in exchange for not touching the database on cached requests.

    `max_header_bytes`, `header_timeout_seconds` and `max_connections` bound what one client
    can hold of a web process before its request is even read (see `publish/guard.py`).
    `forwarded_allow_ips` are the proxies (addresses or networks, or "*") whose
    X-Forwarded-For and X-Forwarded-Proto are believed: the client's address and scheme come
    from those headers only when the direct peer is one of them.
    """

    title: str = "INCOMING TRANSMISSION"
    description: str = "Latest updates in machine-learning writing"
    page_size: int = 12
    feed_size: int = 50
    base_url: str | None = None
    refresh: bool = True
    refresh_every_seconds: float = 60.0
    fetch: FetchSettings = field(default_factory=FetchSettings)
    marker_ttl_seconds: float = 1.0
    page_cache_bytes: int = 48 * 1024 * 1024
    content_cache_bytes: int = 16 * 1024 * 1024
    search_cache_bytes: int = 8 * 1024 * 1024
    toc_min_headings: int = 3
    light_code_style: str = "default"
    dark_code_style: str = "github-dark"
    access_log: bool = False
    max_header_bytes: int = 32 * 1024
    header_timeout_seconds: float = 10.0
    max_connections: int = 1000
    forwarded_allow_ips: tuple[str, ...] = ("127.0.0.1", "::1")

    def __post_init__(self) -> None:
        for name in (
            "page_size",
            "feed_size",
            "page_cache_bytes",
            "content_cache_bytes",
            "search_cache_bytes",
            "max_header_bytes",
            "max_connections",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"site setting {name} must be at least 1")
        if not 1 <= self.page_size <= 200:
            raise ConfigError("site setting page_size must be between 1 and 200")
        if self.header_timeout_seconds <= 0:
            raise ConfigError("site setting header_timeout_seconds must be more than 0")
        if self.refresh_every_seconds <= 0 or self.marker_ttl_seconds < 0:
            raise ConfigError("site refresh and cache times must not be negative")
        for proxy in self.forwarded_allow_ips:
            if proxy != "*" and not _is_network(proxy):
                raise ConfigError(
                    f"site setting forwarded_allow_ips: {proxy!r} is not an address, "
                    "a network or '*'"
                )
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"site base_url must be an http(s) URL, not {self.base_url!r}")


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def settings_to_json(settings: SiteSettings) -> str:
    """The settings as JSON, to hand them to processes started afresh (spawned workers)."""
    return json.dumps(asdict(settings))


def settings_from_json(raw: str) -> SiteSettings:
    data = json.loads(raw)
    fetch = data.pop("fetch")
    fetch["allowed_networks"] = tuple(fetch["allowed_networks"])
    data["forwarded_allow_ips"] = tuple(data["forwarded_allow_ips"])
    return SiteSettings(**data, fetch=FetchSettings(**fetch))
