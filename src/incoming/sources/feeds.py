"""Reading one feed over HTTP: fetch, then parse off the event loop, following discovery once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from incoming.errors import NotAFeedError
from incoming.fetch import Fetcher, FetchResult
from incoming.models import ParsedFeed
from incoming.parse import parse_feed
from incoming.parse.content_format import ContentFormat


@dataclass(frozen=True, slots=True)
class FeedFetch:
    """What one fetch of a feed brought: `feed` is None when the server said 304."""

    result: FetchResult
    feed: ParsedFeed | None
    feed_url: str  # the feed's URL to keep: discovered, or permanently redirected, or as given


async def read_feed(
    fetcher: Fetcher,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    discover: bool = False,
    content_format: ContentFormat = ContentFormat.AUTO,
) -> FeedFetch:
    """Fetch and parse `url`, reading entry content as `content_format`; with `discover`, an
    HTML page leads to the first feed it announces."""
    result = await fetcher.fetch(url, etag=etag, last_modified=last_modified)
    if result.status == 304:
        return FeedFetch(result, None, result.permanent_url or url)
    try:
        feed = await _parse(result, fetcher.settings.max_entries_per_fetch, content_format)
    except NotAFeedError as exc:
        if not discover or not exc.feed_links:
            raise
        url = exc.feed_links[0]
        result = await fetcher.fetch(url)
        feed = await _parse(result, fetcher.settings.max_entries_per_fetch, content_format)
    return FeedFetch(result, feed, result.permanent_url or url)


async def _parse(
    result: FetchResult, max_entries: int, content_format: ContentFormat
) -> ParsedFeed:
    return await asyncio.to_thread(
        parse_feed,
        result.body,
        url=result.url,
        content_type=result.content_type,
        max_entries=max_entries,
        content_format=content_format,
    )
