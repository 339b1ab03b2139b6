"""How politely and how defensively the fetcher talks to feed servers, and how much of what
they send is kept."""

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
    # The newest entries of one fetch that are parsed and stored (0: all); the rest are left
    # out before feedparser builds them. CommaFeed cuts each fetch at 500 too (maxFeedCapacity);
    # real feeds list 10-100, arXiv's daily listings a few hundred.
    max_entries_per_fetch: int = 500
    # A source's newest articles kept (0: all); older ones are deleted after a fetch that adds
    # some (store/retention.py). FreshRSS keeps 200 a feed, CommaFeed 500, Miniflux counts days
    # instead. Incoming is an archive that never loses a stored article unless its operator
    # asks, so the default keeps all: an upgrade must not delete anyone's history. What a
    # hostile feed can pile up is bounded by the per-fetch cap and churn detection; 10,000
    # (decades of a blog, about a month of an arXiv category) is a sensible limit to set.
    max_articles_per_source: int = 0
