"""What a running site may be told: its title, page sizes, caching and background refresh."""

from __future__ import annotations

import ipaddress
import json
import re
import typing
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

from incoming.errors import ConfigError
from incoming.fetch.settings import FetchSettings
from incoming.publish.hosts import is_host_pattern

# Scheme, host, port and a plain path: nothing a feed would have to escape.
_BASE_URL = re.compile(r"https?://[A-Za-z0-9._~-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?")


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """Settings of one site; sizes are item counts, times seconds.

    `base_url` is the site's public address, used for every absolute URL (feeds' links and
    ids). Without it the request's own scheme and host are used, and only for a Host that
    `allowed_hosts` names (empty: loopback names only; `serve` adds the name it binds); other
    Hosts are answered 400, so a forged Host never reaches a feed or a cache.
    `feed_content_bytes` bounds the content of one entry in feeds out: a larger article
    carries its excerpt and a link to the full text instead. `marker_ttl_seconds` is how
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
    allowed_hosts: tuple[str, ...] = ()
    feed_content_bytes: int = 256 * 1024
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
            "feed_content_bytes",
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
        if self.refresh_every_seconds <= 0:
            raise ConfigError("site setting refresh_every_seconds must be above 0")
        if self.marker_ttl_seconds < 0:
            raise ConfigError("site setting marker_ttl_seconds must not be negative")
        if self.base_url is not None and _BASE_URL.fullmatch(self.base_url) is None:
            raise ConfigError(
                "site base_url must be an http(s) URL of a host (and a path), without query, "
                f"not {self.base_url!r}"
            )
        for pattern in self.allowed_hosts:
            if not is_host_pattern(pattern):
                raise ConfigError(
                    f"site allowed_hosts: {pattern!r} is not a host name, an address, "
                    "'.domain' (it and its subdomains) or '*'"
                )
        if self.header_timeout_seconds <= 0:
            raise ConfigError("site setting header_timeout_seconds must be more than 0")
        for proxy in self.forwarded_allow_ips:
            if proxy != "*" and not _is_network(proxy):
                raise ConfigError(
                    f"site setting forwarded_allow_ips: {proxy!r} is not an address, "
                    "a network or '*'"
                )


T = typing.TypeVar("T")


def settings_from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """A settings dataclass from plain values (nested dicts for nested settings, lists for
    tuples), whatever fields it has; fields left out keep their defaults."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for item in fields(cls):  # type: ignore[arg-type]
        if item.name not in data:
            continue
        hint, value = hints[item.name], data[item.name]
        if is_dataclass(hint):
            value = settings_from_dict(hint, value)  # type: ignore[arg-type]
        elif typing.get_origin(hint) is tuple:
            value = tuple(value)
        values[item.name] = value
    return cls(**values)


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
    return settings_from_dict(SiteSettings, json.loads(raw))
