"""Running fetches from synchronous tests (pytest-asyncio is not used)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from incoming.fetch import Fetcher, FetchResult, FetchSettings
from incoming.fetch.network import Resolver, system_resolver

LOCAL = FetchSettings(allow_private_addresses=True)
"""The test server lives on 127.0.0.1, which the default settings refuse."""


async def to_loopback(host: str, port: int) -> list[str]:
    """A resolver for test host names ("a.test"...): every name is 127.0.0.1."""
    return ["127.0.0.1"]


def fetch(
    url: str,
    settings: FetchSettings = LOCAL,
    *,
    resolver: Resolver = system_resolver,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings, resolver=resolver) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    return asyncio.run(run())


def fetch_all(
    urls: Sequence[str], settings: FetchSettings = LOCAL, *, resolver: Resolver = system_resolver
) -> list[FetchResult | BaseException]:
    """Fetch every URL at once through one Fetcher, as the pipeline does."""

    async def run() -> list[FetchResult | BaseException]:
        async with Fetcher(settings, resolver=resolver) as fetcher:
            return await asyncio.gather(
                *(fetcher.fetch(url) for url in urls), return_exceptions=True
            )

    return asyncio.run(run())
