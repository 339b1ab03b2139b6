"""Reading through the API: every endpoint and filter, and cursor paging without gaps or repeats."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from httpx import AsyncClient

from incoming.models import ArticleDraft
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from tests.api.support import BASE, Seeded, draft

pytestmark = pytest.mark.anyio


async def page_through(client: AsyncClient, limit: int, **filters: Any) -> list[int]:
    """Every id the list gives, following next_cursor to the end."""
    ids: list[int] = []
    params: dict[str, Any] = {"limit": limit, **filters}
    for _ in range(100):
        answer = await client.get("/api/v1/articles", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["items"]) <= limit
        ids += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            return ids
        assert len(body["items"]) == limit
        params["cursor"] = body["next_cursor"]
    raise AssertionError("the cursor never reached the end")


async def test_first_page_is_newest_first_with_a_cursor(
    client: AsyncClient, seeded: Seeded
) -> None:
    body = (await client.get("/api/v1/articles")).json()
    assert [item["id"] for item in body["items"]] == seeded.ids()[:20]
    assert isinstance(body["next_cursor"], str)
    first = body["items"][0]
    assert first["title"].startswith("第 44 篇")
    assert unquote(first["link"]) == f"/a/{first['id']}/第-44-篇-article-44"
    assert first["source"] == {"id": seeded.feed_id + 2, "title": "notes"}
    assert first["topics"] == [{"slug": "ml", "name": "ML"}]
    assert first["updated"] == (BASE + timedelta(hours=14)).isoformat()
    assert "content_html" not in first
    assert first["excerpt_html"] == "<p>摘要 44</p>"


@pytest.mark.parametrize("limit", [1, 7, 45, 100])
async def test_paging_gives_every_article_once_in_order(
    client: AsyncClient, seeded: Seeded, limit: int
) -> None:
    assert await page_through(client, limit) == seeded.ids()


async def test_each_filter_and_their_combination(client: AsyncClient, seeded: Seeded) -> None:
    other = seeded.other_id
    assert await page_through(client, 4, source=other) == seeded.ids(source=other)
    assert await page_through(client, 4, topic="nlp") == seeded.ids(topic="nlp")
    both = await page_through(client, 3, source=seeded.feed_id, topic="nlp")
    assert both == seeded.ids(source=seeded.feed_id, topic="nlp")
    assert both


@pytest.mark.parametrize("topic", [None, "ml"])
async def test_before_and_after_bound_the_update_time(
    client: AsyncClient, seeded: Seeded, topic: str | None
) -> None:
    extra = {"topic": topic} if topic else {}
    after, before = BASE + timedelta(hours=3), BASE + timedelta(hours=9)
    expected = [
        article_id for article_id, _, updated, _ in seeded.articles if after < updated < before
    ]
    found = await page_through(
        client, 4, after=after.isoformat(), before=f"{before:%Y-%m-%dt%H:%M:%S.%fZ}", **extra
    )
    assert found == expected
    assert len(expected) == 15
    assert await page_through(client, 50, before="2025-01-01") == []
    # Hour 0 is not after 2025-01-01 (00:00).
    assert await page_through(client, 50, after="2025-01-01") == seeded.ids()[:-3]


async def test_offsets_in_dates_count(client: AsyncClient, seeded: Seeded) -> None:
    """14:00+05:00 is 09:00 UTC: the same bound, written in another zone."""
    zoned = await page_through(client, 100, before="2025-01-01T14:00:00+05:00")
    assert zoned == await page_through(client, 100, before="2025-01-01T09:00:00z")


async def test_paging_neither_skips_nor_repeats_while_articles_arrive(
    client: AsyncClient, store: Store, seeded: Seeded
) -> None:
    body = (await client.get("/api/v1/articles", params={"limit": 10})).json()
    seen = [item["id"] for item in body["items"]]
    newest = BASE + timedelta(hours=20)
    with store.write() as connection:
        news = [draft(n, updated=newest, topics=()) for n in range(100, 103)]
        save_drafts(connection, seeded.feed_id, news, now=newest + timedelta(days=1))
    seen += await page_through(client, 10, cursor=body["next_cursor"])
    assert seen == seeded.ids()


async def test_article_has_its_full_content_and_neighbours(
    client: AsyncClient, seeded: Seeded
) -> None:
    newer, middle, older = seeded.ids()[4:7]
    body = (await client.get(f"/api/v1/articles/{middle}")).json()
    assert body["id"] == middle
    assert body["content_html"].startswith("<p>全文 full text")
    assert body["content_text"].startswith("全文 full text")
    assert body["newer"]["id"] == newer
    assert body["older"]["id"] == older
    assert body["author"] == "作者"
    assert body["language"] == "zh"
    assert body["gone"] is False
    newest = (await client.get(f"/api/v1/articles/{seeded.ids()[0]}")).json()
    assert newest["newer"] is None


async def test_sources_with_counts_and_no_private_details(
    client: AsyncClient, seeded: Seeded
) -> None:
    items = (await client.get("/api/v1/sources")).json()["items"]
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {seeded.feed_id, seeded.other_id, seeded.notes_id}
    assert {item["articles"] for item in items} == {15}
    feed = by_id[seeded.feed_id]
    assert feed["url"] == "https://a.example.org/feed"
    assert feed["title"] == "甲"
    assert feed["state"] == "new"
    assert feed["link"] == f"/source/{seeded.feed_id}"
    assert by_id[seeded.notes_id]["url"] is None  # a folder on the server stays private
    assert "last_error" not in feed


async def test_topics_with_counts(client: AsyncClient, seeded: Seeded) -> None:
    items = (await client.get("/api/v1/topics")).json()["items"]
    assert items == [
        {"slug": "ml", "link": "/topic/ml", "name": "ML", "articles": 45},
        {"slug": "nlp", "link": "/topic/nlp", "name": "NLP", "articles": 22},
    ]


async def test_empty_store_lists_nothing(client: AsyncClient) -> None:
    assert (await client.get("/api/v1/articles")).json() == {"items": [], "next_cursor": None}
    assert (await client.get("/api/v1/sources")).json() == {"items": []}
    assert (await client.get("/api/v1/topics")).json() == {"items": []}


async def test_head_answers_like_get_without_a_body(client: AsyncClient, seeded: Seeded) -> None:
    answer = await client.head("/api/v1/articles")
    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-type"] == "application/json"


def test_draft_helper_is_a_real_draft() -> None:
    assert isinstance(draft(1, updated=BASE, topics=()), ArticleDraft)
