"""/metrics: Prometheus text that parses, with counters moved by real fetches and requests."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from incoming.fetch import FetchSettings
from incoming.publish.urls import article_path, href
from incoming.sources import service
from incoming.store.engine import Store
from incoming.store.sources import add_source
from tests.publish.support import seed
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.metrics import parse_samples, value
from tests.support.server import FixtureServer

pytestmark = pytest.mark.anyio
FEED = rss([("m1", "Metrics one", "<p>One.</p>"), ("m2", "Metrics two", "<p>Two.</p>")])


async def _scrape(client: httpx.AsyncClient) -> dict:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["cache-control"] == "no-store"
    return parse_samples(response.text)


async def test_fetches_move_the_counters(
    store: Store, server: FixtureServer, client: httpx.AsyncClient
) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS_HEADERS, etag='"v1"')
    now = datetime.now(UTC)
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/feed.xml"), now=now)
        add_source(connection, kind="feed", url=server.url("/missing.xml"), now=now)
    before = await _scrape(client)
    assert value(before, "incoming_sources_due") == 2  # never fetched: both due

    settings = FetchSettings(allow_private_addresses=True)
    await service.fetch_sources(store, None, fetch_settings=settings)  # new, failed
    await service.fetch_sources(store, None, fetch_settings=settings)  # not modified, failed
    after = await _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("incoming_fetches_total", kind="feed", outcome="new") == 1
    assert moved("incoming_fetches_total", kind="feed", outcome="not_modified") == 1
    assert moved("incoming_fetches_total", kind="feed", outcome="failed") == 2
    assert moved("incoming_articles_ingested_total", change="new") == 2
    assert moved("incoming_fetch_duration_seconds_count", kind="feed") == 4
    assert moved("incoming_fetch_duration_seconds_bucket", kind="feed", le="+Inf") == 4
    assert value(after, "incoming_sources_due") == 0  # both checked: next checks are later


async def test_page_latency_is_labelled_by_route_template(
    store: Store, client: httpx.AsyncClient
) -> None:
    seeded = seed(store)
    article = href(article_path(seeded.rich, "any slug"))
    before = await _scrape(client)
    for path in ["/", "/page/2", "/page/2", article, "/no/such/thing", "/page/abc"]:
        await client.get(path)
    await client.get(f"/api/v1/articles/{seeded.rich}")
    await client.request("BREW", "/")  # any method name a client invents shares one label
    after = await _scrape(client)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    seconds = "incoming_http_request_duration_seconds_count"
    assert moved(seconds, route="/", method="GET") == 1
    assert moved(seconds, route="/page/{number}", method="GET") == 3
    assert moved(seconds, route="/a/{article_id}/{slug}", method="GET") == 1
    assert moved(seconds, route="/api/v1/articles/{article_id}", method="GET") == 1
    assert moved(seconds, route="unmatched", method="GET") == 1
    assert moved(seconds, route="/", method="other") == 1
    requests = "incoming_http_requests_total"
    assert moved(requests, route="/page/{number}", method="GET", status="200") == 2
    assert moved(requests, route="/page/{number}", method="GET", status="404") == 1
    routes = {dict(labels).get("route") for name, labels in after if name == seconds}
    assert not any(route and ("abc" in route or "/page/2" in route) for route in routes)
