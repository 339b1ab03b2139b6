"""How politely and how defensively the fetcher talks to feed servers."""

from __future__ import annotations

from dataclasses import dataclass

from incoming import __version__

PROJECT_URL = "https://pypi.org/project/incoming-hub/"
DEFAULT_USER_AGENT = f"Incoming/{__version__} (+{PROJECT_URL}; self-hosted ML reading hub)"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits for one Fetcher; sizes in bytes, times in seconds.

    `total_timeout` bounds the time spent talking to servers for one fetch (all redirect
    hops together), so a server that drips a byte a second cannot hold a slot forever; time
    spent waiting for a free connection or per-host slot is not counted.
    """

    allow_private_addresses: bool = False
    # Networks (CIDR) allowed even while private addresses are refused: a trusted intranet host.
    allowed_networks: tuple[str, ...] = ()
    max_body_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    max_connections: int = 32
    max_per_host: int = 2
    user_agent: str = DEFAULT_USER_AGENT
