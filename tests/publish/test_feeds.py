"""Feeds out, read back the way subscribers read them: feedparser, the JSON Feed spec, OPML."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import feedparser
import httpx
import pytest

from incoming.parse import parse_opml
from incoming.store.engine import Store
from incoming.store.schema import articles
from tests.publish.support import RICH_TITLE, SETTINGS, Seeded, site_client

pytestmark = pytest.mark.anyio


def _parsed(response: httpx.Response) -> feedparser.FeedParserDict:
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_atom_feed_is_valid_with_full_content(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    parsed = _parsed(await client.get("/feed.atom"))
    assert parsed.feed.title == "INCOMING TRANSMISSION"
    assert parsed.feed.link == "http://testserver/"
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
        "http://testserver/feed.atom"
    ]
    assert len(parsed.entries) == 30
    first = parsed.entries[0]
    assert first.title == RICH_TITLE
    assert first.id == f"http://testserver/a/{seeded.rich}"
    assert first.link.startswith(f"http://testserver/a/{seeded.rich}/")
    assert first.author in ("Ada", "李雷")
    assert [tag.term for tag in first.tags] == ["research"]
    content = first.content[0]
    assert content.type == "text/html"
    assert "<math" in content.value
    assert 'class="language-python"' in content.value
    assert first.updated_parsed is not None
    ids = [int(item.id.rsplit("/", 1)[1]) for item in parsed.entries]
    assert ids == seeded.newest_first


async def test_feeds_per_source_and_topic_hold_only_theirs(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    source = _parsed(await client.get(f"/source/{seeded.notes_source}/feed.atom"))
    assert source.feed.title == "Notes · INCOMING TRANSMISSION"
    assert len(source.entries) == 10
    assert source.feed.link == f"http://testserver/source/{seeded.notes_source}"
    topic = _parsed(await client.get("/topic/深度学习/feed.atom"))
    assert len(topic.entries) == 10
    assert all("深度学习" in [tag.label for tag in item.tags] for item in topic.entries)
    as_json = json.loads((await client.get("/topic/深度学习/feed.json")).content)
    assert (
        as_json["feed_url"]
        == "http://testserver/topic/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/feed.json"
    )
    assert len(as_json["items"]) == 10


async def test_json_feed_has_every_field_the_spec_requires(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get("/feed.json")
    assert response.headers["content-type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    # JSON Feed 1.1: version and title and items are required; each item needs an id (a
    # string) and content_html or content_text; dates are RFC 3339.
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "INCOMING TRANSMISSION"
    assert document["home_page_url"] == "http://testserver/"
    assert document["feed_url"] == "http://testserver/feed.json"
    assert len(document["items"]) == 30
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item.get("content_html") or item.get("content_text")
        assert item["url"].startswith("http://testserver/a/")
        datetime.fromisoformat(item["date_modified"])
        datetime.fromisoformat(item["date_published"])
        assert all(author["name"] for author in item["authors"])
    first = document["items"][0]
    assert first["title"] == RICH_TITLE
    assert first["external_url"] == "https://blog.example.org/posts/29"
    assert "<math" in first["content_html"]
    assert first["tags"] == ["Research"]


async def test_feed_size_and_base_url_are_settings(store: Store, seeded: Seeded) -> None:
    settings = replace(SETTINGS, feed_size=5, base_url="https://hub.example.net/")
    async with site_client(store, settings) as client:
        parsed = _parsed(await client.get("/feed.atom"))
        document = json.loads((await client.get("/feed.json")).content)
    assert len(parsed.entries) == 5
    assert parsed.entries[0].id == f"https://hub.example.net/a/{seeded.rich}"
    assert document["feed_url"] == "https://hub.example.net/feed.json"
    assert len(document["items"]) == 5


async def test_an_empty_feed_is_still_valid(client: httpx.AsyncClient) -> None:
    parsed = _parsed(await client.get("/feed.atom"))
    assert parsed.entries == []
    assert json.loads((await client.get("/feed.json")).content)["items"] == []


async def test_control_characters_in_stored_text_do_not_break_the_xml(
    store: Store, seeded: Seeded
) -> None:
    with store.write() as connection:
        connection.execute(
            articles.update()
            .where(articles.c.id == seeded.rich)
            .values(title="bell \x07 and form feed \x0c", content_html="<p>nul-free \x1b</p>")
        )
    async with site_client(store) as client:
        parsed = _parsed(await client.get("/feed.atom"))
    assert parsed.entries[0].title.split() == ["bell", "and", "form", "feed"]


async def test_opml_lists_the_feeds_but_never_a_notes_folder(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get("/opml")
    assert response.headers["content-type"] == "text/x-opml; charset=utf-8"
    outlines = parse_opml(response.content)
    assert [(o.url, o.title, o.site_url, o.topic) for o in outlines] == [
        (
            "https://blog.example.org/feed.xml",
            "Example Blog",
            "https://blog.example.org/",
            "Research",
        )
    ]
    assert "/srv/notes" not in response.text
