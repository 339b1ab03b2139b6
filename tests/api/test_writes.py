"""Changing sources through the API: a bearer token is required; the ingest service works."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient
from sqlalchemy import Connection, event

from incoming.fetch import FetchSettings
from incoming.publish.api.routes import MAX_BODY_BYTES
from incoming.store import accounts
from incoming.store.engine import Store
from incoming.store.sources import list_sources
from tests.api.support import SITE, Seeded, make_app, open_client
from tests.api.test_errors import error_of
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

pytestmark = pytest.mark.anyio

ITEMS = [("b", "第二篇", "<p>二</p>"), ("a", "第一篇", "<p>一 <script>x()</script></p>")]
WRITES = [
    ("POST", "/api/v1/sources"),
    ("DELETE", "/api/v1/sources/1"),
    ("POST", "/api/v1/sources/1/fetch"),
]


@pytest.fixture
def token(store: Store) -> str:
    with store.write() as connection:
        _, secret = accounts.create_token(connection, name="tests", now=datetime.now(UTC))
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_writes_need_a_token(client: AsyncClient, store: Store, seeded: Seeded) -> None:
    for method, path in WRITES:
        answer = await client.request(method, path, json={"url": "https://x.example.org/"})
        error = error_of(answer, 401)
        assert error["code"] == "unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")
        for header in ("Bearer incoming_wrong", "Basic dXNlcjpwYXNz", "Bearer", "incoming_x"):
            refused = await client.request(method, path, headers={"Authorization": header})
            assert error_of(refused, 401)["code"] in {"unauthorized", "invalid_token"}
    with_unknown = await client.post("/api/v1/sources/1/fetch", headers=bearer("incoming_nope"))
    assert error_of(with_unknown, 401)["code"] == "invalid_token"
    with store.read() as connection:
        assert len(list_sources(connection)) == 3  # nothing was touched


async def test_unknown_tokens_are_refused_without_a_write(
    client: AsyncClient, store: Store, token: str
) -> None:
    """A flood of made-up tokens costs reads only: no write transaction, no change to the
    store (each used to mark a token as used, taking SQLite's write lock)."""
    writes: list[bool] = []

    def on_begin(connection: Connection) -> None:
        writes.append(connection.get_execution_options().get("incoming_write", False))

    event.listen(store.engine, "begin", on_begin)
    try:
        for n in range(50):
            refused = await client.delete("/api/v1/sources/1", headers=bearer(f"incoming_{n}"))
            assert error_of(refused, 401)["code"] == "invalid_token"
        assert writes
        assert not any(writes)
        await client.post("/api/v1/sources/999/fetch", headers=bearer(token))
        assert sum(writes) == 1  # a known token is marked as used
    finally:
        event.remove(store.engine, "begin", on_begin)


async def test_a_refused_address_is_not_told(store: Store, token: str) -> None:
    """Adding a feed whose name resolves inward says only that it is not a public address,
    not what the name resolves to (that would map the inside network for an outsider)."""
    app = make_app(store)
    app.state.settings = replace(SITE, fetch=FetchSettings())  # private addresses refused
    async with open_client(app) as client:
        for host in ("feeds.localhost", "127.0.0.1"):
            url = f"http://{host}:9/feed.xml"
            answer = await client.post("/api/v1/sources", json={"url": url}, headers=bearer(token))
            error = error_of(answer, 422)
            assert error["message"] == (
                f"{url}: {host} is not a public address "
                "(set INCOMING_ALLOW_PRIVATE_ADDRESSES=1 to allow)"
            )
            if host != "127.0.0.1":
                assert "127.0.0.1" not in answer.text
                assert "::1" not in answer.text


async def test_add_fetch_and_remove_a_feed(
    client: AsyncClient, token: str, server: FixtureServer, store: Store
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    url = server.url("/feed.xml")
    added = await client.post(
        "/api/v1/sources", json={"url": url, "topic": "笔记"}, headers=bearer(token)
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["articles_added"] == 2
    source = body["source"]
    assert (source["url"], source["topic"], source["state"]) == (url, "笔记", "ok")
    assert source["last_error"] is None
    articles = (await client.get("/api/v1/articles", params={"source": source["id"]})).json()
    assert [item["title"] for item in articles["items"]] == ["第二篇", "第一篇"]

    again = await client.post("/api/v1/sources", json={"url": url}, headers=bearer(token))
    assert error_of(again, 409)["parameter"] == "url"

    server.route("/feed.xml", body=rss([("c", "第三篇", "<p>三</p>"), *ITEMS]), headers=RSS_HEADERS)
    fetched = await client.post(f"/api/v1/sources/{source['id']}/fetch", headers=bearer(token))
    assert fetched.status_code == 200, fetched.text
    outcome = fetched.json()
    assert (outcome["new"], outcome["unchanged"], outcome["error"]) == (1, 2, None)
    assert outcome["source"]["articles"] == 3

    removed = await client.delete(f"/api/v1/sources/{source['id']}", headers=bearer(token))
    assert removed.status_code == 200
    assert removed.json()["articles_removed"] == 3
    gone = await client.delete(f"/api/v1/sources/{source['id']}", headers=bearer(token))
    assert error_of(gone, 404)["parameter"] == "source_id"
    with store.read() as connection:
        [used] = accounts.list_tokens(connection)
    assert used.last_used_at is not None


async def test_a_failed_fetch_is_reported_not_raised(
    client: AsyncClient, token: str, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    added = await client.post(
        "/api/v1/sources", json={"url": server.url("/feed.xml")}, headers=bearer(token)
    )
    source_id = added.json()["source"]["id"]
    server.route("/feed.xml", status=500, body=b"down")
    outcome = (
        await client.post(f"/api/v1/sources/{source_id}/fetch", headers=bearer(token))
    ).json()
    assert "500" in outcome["error"]
    assert outcome["source"]["state"] == "failing"
    assert outcome["source"]["last_error"] == outcome["error"]


async def test_unusable_urls_are_422(
    client: AsyncClient, token: str, server: FixtureServer
) -> None:
    server.route("/page", body=b"<html><body>no feed here</body></html>")
    for url in (server.url("/page"), server.url("/missing")):
        answer = await client.post("/api/v1/sources", json={"url": url}, headers=bearer(token))
        error = error_of(answer, 422)
        assert (error["code"], error["parameter"]) == ("unusable_source", "url")


BAD_BODIES = [
    ({"topic": "x"}, "url"),
    ({"url": 5}, "url"),
    ({"url": "ftp://example.org/feed"}, "url"),
    ({"url": "/etc"}, "url"),  # a folder on the server is not the API's to add
    ({"url": "http://[::1/feed"}, "url"),  # urlsplit raises on this one
    ({"url": "http://example.org/\x00"}, "url"),
    ({"url": "https://example.org/feed", "topic": "a\x00b"}, "topic"),
    ({"url": "https://example.org/feed", "topic": ""}, "topic"),
    ({"url": "https://example.org/feed", "topic": 3}, "topic"),
    ({"url": "https://example.org/feed", "admin": True}, "admin"),
    (["https://example.org/feed"], "body"),
    ("https://example.org/feed", "body"),
]


async def test_bad_bodies_are_400_naming_the_field(client: AsyncClient, token: str) -> None:
    for body, parameter in BAD_BODIES:
        answer = await client.post("/api/v1/sources", json=body, headers=bearer(token))
        assert error_of(answer, 400)["parameter"] == parameter, body
    broken = await client.post(
        "/api/v1/sources",
        content=b'{"url": ',
        headers=bearer(token) | {"Content-Type": "application/json"},
    )
    assert error_of(broken, 400)["parameter"] == "body"
    not_utf8 = await client.post(
        "/api/v1/sources",
        content=b'{"url": "\xff"}',
        headers=bearer(token) | {"Content-Type": "application/json"},
    )
    assert error_of(not_utf8, 400)["parameter"] == "body"
    nested = await client.post(
        "/api/v1/sources",
        content=b"[" * 8000 + b"]" * 8000,
        headers=bearer(token) | {"Content-Type": "application/json"},
    )
    assert error_of(nested, 400)["parameter"] == "body"
    form = await client.post("/api/v1/sources", data={"url": "x"}, headers=bearer(token))
    assert error_of(form, 415)["code"] == "unsupported_media_type"
    huge = await client.post(
        "/api/v1/sources",
        json={"url": "https://example.org/" + "a" * MAX_BODY_BYTES},
        headers=bearer(token),
    )
    assert error_of(huge, 413)["code"] == "too_large"


async def test_bad_ids_in_write_paths(client: AsyncClient, token: str) -> None:
    for method, path in [("DELETE", "/api/v1/sources/x"), ("POST", "/api/v1/sources/0/fetch")]:
        answer = await client.request(method, path, headers=bearer(token))
        assert error_of(answer, 400)["parameter"] == "source_id"
    unknown = await client.post("/api/v1/sources/77/fetch", headers=bearer(token))
    assert error_of(unknown, 404)["parameter"] == "source_id"


async def test_a_feed_is_added_with_a_content_format(
    client: AsyncClient, token: str, server: FixtureServer, store: Store
) -> None:
    server.route("/feed.xml", body=rss(ITEMS), headers=RSS_HEADERS)
    added = await client.post(
        "/api/v1/sources",
        json={"url": server.url("/feed.xml"), "format": "text"},
        headers=bearer(token),
    )
    assert added.status_code == 201, added.text
    assert added.json()["source"]["format"] == "text"
    with store.read() as connection:
        assert [source.content_format for source in list_sources(connection)][-1] == "text"
    articles = (await client.get("/api/v1/articles")).json()["items"]
    excerpts = [article["excerpt_html"] for article in articles]
    assert any("&lt;p&gt;二&lt;/p&gt;" in excerpt for excerpt in excerpts)  # markup as text


async def test_a_bad_content_format_is_400_naming_the_field(
    client: AsyncClient, token: str, store: Store
) -> None:
    for value in ("rtf", "", None, 1, ["html"]):
        answer = await client.post(
            "/api/v1/sources",
            json={"url": "https://x.example.org/feed", "format": value},
            headers=bearer(token),
        )
        error = error_of(answer, 400)
        assert error["parameter"] == "format"
        assert error["message"].startswith("format must be one of auto, html, markdown, text")
    with store.read() as connection:
        assert list_sources(connection) == []
