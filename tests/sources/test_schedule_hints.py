"""The next check follows the feed's hints, also when the server answers 304."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from incoming.fetch import FetchSettings
from incoming.sources.refresh import refresh_sources
from incoming.store.engine import Store
from incoming.store.sources import Source, add_source, find_source
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

SYNDICATION = (
    '<sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">daily'
    '</sy:updatePeriod><sy:updateFrequency xmlns:sy="http://purl.org/rss/1.0/modules/'
    'syndication/">2</sy:updateFrequency>'
)


def refresh(store: Store, source: Source) -> Source:
    settings = FetchSettings(allow_private_addresses=True)
    [outcome] = asyncio.run(refresh_sources(store, [source], settings=settings))
    assert not outcome.failed, outcome.error
    with store.read() as connection:
        return find_source(connection, str(source.id))


def wait_of(source: Source) -> timedelta:
    assert source.next_check_at is not None
    assert source.last_checked_at is not None
    return source.next_check_at - source.last_checked_at


def test_a_syndication_hint_outlives_a_304(store: Store, server: FixtureServer) -> None:
    body = rss([("a", "A", "<p>a</p>")], extra=SYNDICATION)
    server.route("/sy.xml", body=body, headers=RSS_HEADERS, etag='"v1"')
    with store.write() as connection:
        source = add_source(
            connection, kind="feed", url=server.url("/sy.xml"), now=datetime.now(UTC)
        )
    fetched = refresh(store, source)
    assert fetched.ttl_seconds == 12 * 3600  # daily, twice
    assert timedelta(hours=10.8) <= wait_of(fetched) < timedelta(hours=13.2)
    again = refresh(store, fetched)
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert again.ttl_seconds == 12 * 3600
    assert timedelta(hours=10.8) <= wait_of(again) < timedelta(hours=13.2)


def test_max_age_of_a_304_counts(store: Store, server: FixtureServer) -> None:
    headers = RSS_HEADERS | {"Cache-Control": "max-age=7200"}
    server.route("/ma.xml", body=rss([("a", "A", "<p>a</p>")]), headers=headers, etag='"x"')
    with store.write() as connection:
        source = add_source(
            connection, kind="feed", url=server.url("/ma.xml"), now=datetime.now(UTC)
        )
    again = refresh(store, refresh(store, source))
    assert again.ttl_seconds is None
    assert timedelta(hours=1.8) <= wait_of(again) < timedelta(hours=2.2)
