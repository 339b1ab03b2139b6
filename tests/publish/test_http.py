"""HTTP behaviour: validators and 304s, caching, compression, HEAD, security headers, errors."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from incoming.publish import data
from incoming.publish.app import create_app
from incoming.publish.http import CONTENT_SECURITY_POLICY
from incoming.store.engine import Store
from tests.publish.html import page, texts
from tests.publish.support import (
    SETTINGS,
    Seeded,
    assert_second_request_costs_no_query,
    entry,
    open_client,
    save_entries,
    site_client,
)

pytestmark = pytest.mark.anyio

PAGES = ["/", "/page/2", "/sources", "/topics", "/topic/nlp", "/search?q=attention"]
FEEDS = ["/feed.atom", "/feed.json", "/topic/nlp/feed.atom", "/opml"]


def _paths(seeded: Seeded) -> list[str]:
    return [*PAGES, *FEEDS, f"/source/{seeded.feed_source}", f"/a/{seeded.rich}/x"]


async def test_every_page_and_feed_has_validators_and_answers_304(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in _paths(seeded):
        first = await client.get(path, follow_redirects=True)
        assert first.status_code == 200, path
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('W/"'), path
        assert modified.endswith(" GMT"), path
        url = first.url
        by_tag = await client.get(url, headers={"If-None-Match": etag})
        assert (by_tag.status_code, by_tag.content) == (304, b""), path
        assert by_tag.headers["etag"] == etag
        by_date = await client.get(url, headers={"If-Modified-Since": modified})
        assert by_date.status_code == 304, path
        other = await client.get(url, headers={"If-None-Match": 'W/"other"'})
        assert other.status_code == 200, path


async def test_a_change_in_the_store_changes_the_validators(
    store: Store, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    before = await client.get("/")
    save_entries(store, seeded.feed_source, [entry(500, title="Fresh off the wire")])
    after = await client.get("/", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert "Fresh off the wire" in after.text


async def test_cache_control_suits_each_kind(client: httpx.AsyncClient, seeded: Seeded) -> None:
    assert (await client.get("/")).headers["cache-control"] == "public, max-age=60"
    assert (await client.get("/feed.atom")).headers["cache-control"] == "public, max-age=300"
    assert (await client.get("/nowhere")).headers["cache-control"] == "no-cache"
    document = page(await client.get("/"))
    css = document.xpath("//link[@rel='stylesheet']/@href")[0]
    assert css.startswith("/static/site.css?v=")
    versioned = await client.get(css)
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert versioned.headers["content-type"] == "text/css; charset=utf-8"
    font = re.search(r'url\("(fonts/latinmodern-math\.woff2\?v=\w+)"\)', versioned.text)
    assert font is not None  # the stylesheet links the font by its content, too
    font_response = await client.get(f"/static/{font.group(1)}")
    assert font_response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert font_response.headers["content-type"] == "font/woff2"
    plain = await client.get("/static/site.css")
    assert plain.headers["cache-control"] == "public, max-age=86400"
    again = await client.get("/static/site.css", headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/", "/nowhere", "/feed.json", "/static/site.js", "/api/v1/x"])
async def test_security_headers_are_on_every_answer(
    client: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    response = await client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_pages_carry_no_inline_script_or_style(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in [*PAGES, f"/a/{seeded.rich}/x"]:
        document = page(await client.get(path, follow_redirects=True))
        assert all(script.get("src") for script in document.xpath("//script")), path
        assert document.xpath("//style | //*[@style] | //*[@onclick] | //*[@onload]") == []


async def test_head_answers_headers_without_a_body(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in ("/", "/feed.atom", "/static/site.css", "/nowhere"):
        got = await client.get(path)
        head = await client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("etag") == got.headers.get("etag")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
async def test_bodies_are_compressed_when_the_client_accepts_it(
    client: httpx.AsyncClient, seeded: Seeded, encoding: str
) -> None:
    for path in ("/", "/feed.atom", "/static/site.css"):
        plain = await client.get(path, headers={"Accept-Encoding": "identity"})
        packed = await client.get(path, headers={"Accept-Encoding": f"{encoding}, deflate"})
        assert "content-encoding" not in plain.headers
        assert packed.headers["content-encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["vary"]
        assert packed.content == plain.content  # httpx decodes
        assert int(packed.headers["content-length"]) < len(plain.content)
    font = await client.get(
        "/static/fonts/latinmodern-math.woff2", headers={"Accept-Encoding": "br"}
    )
    assert font.headers["content-type"] == "font/woff2"
    assert "content-encoding" not in font.headers


async def test_cached_pages_cost_no_query_until_the_marker_is_due(
    store: Store, seeded: Seeded
) -> None:
    await assert_second_request_costs_no_query(store, "/page/2")


@pytest.fixture
def broken_front_page(monkeypatch: pytest.MonkeyPatch) -> list[Exception]:
    raised: list[Exception] = []

    def front_page(*_args: Any, **_kwargs: Any) -> None:
        raise raised[0]

    monkeypatch.setattr(data, "front_page", front_page)
    return raised


async def test_a_bug_is_a_themed_500_with_the_same_headers(
    store: Store, broken_front_page: list[Exception]
) -> None:
    broken_front_page.append(RuntimeError("boom"))
    async with open_client(create_app(store, SETTINGS), raise_app_exceptions=False) as client:
        response = await client.get("/")
    assert response.status_code == 500
    assert texts(page(response), "//h1") == ["TRANSMISSION ERROR"]
    assert "boom" not in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_a_database_that_is_down_is_a_503(
    store: Store, broken_front_page: list[Exception]
) -> None:
    broken_front_page.append(OperationalError("SELECT", {}, Exception("connection refused")))
    async with site_client(store) as client:
        response = await client.get("/")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "not answering" in response.text
