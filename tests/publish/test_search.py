"""Search on the site and related articles, over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx
import lxml.html
import pytest

from incoming.index import related_articles
from incoming.publish.app import create_app
from incoming.publish.data import SEARCH_MAX_CHARS
from incoming.publish.urls import article_path
from incoming.store.engine import Store
from tests.publish.html import cls, hrefs, page, texts
from tests.publish.support import (
    RICH_TITLE,
    SETTINGS,
    Seeded,
    assert_second_request_costs_no_query,
    entry,
    open_client,
    save_entries,
    seed,
    site_client,
)

pytestmark = pytest.mark.anyio

HEADER_BOX = "//header[@class='masthead']//form[@role='search']"
HITS = cls("search-hit", "article")
# Every seeded article says "attention" (the rich one in its title too) and 29 say "正文".
EVERYWHERE = "attention"


def _ids(document: lxml.html.HtmlElement) -> list[int]:
    return [int(link.split("/")[2]) for link in hrefs(document, HITS + "//h2/a")]


def _boxes(document: lxml.html.HtmlElement) -> list[str]:
    return document.xpath("//form[@role='search']//input[@name='q']/@value")


async def test_every_page_has_a_plain_search_form_in_its_header(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in ("/", "/page/2", f"/a/{seeded.rich}/x", "/sources", "/topics", "/search", "/x"):
        document = page(await client.get(path, follow_redirects=True))
        (form,) = document.xpath(HEADER_BOX)
        assert (form.get("action"), form.get("method")) == ("/search", "get"), path
        (box,) = form.xpath(".//input[@name='q']")
        assert box.get("type") == "search"
        assert box.get("data-search") is not None  # what "/" focuses
        assert box.get("maxlength") == str(SEARCH_MAX_CHARS)
        assert box.get("aria-label")
        assert form.xpath(".//button[@type='submit']")


@pytest.mark.parametrize("path", ["/search", "/search?q=", "/search?q=%20%20"])
async def test_no_query_is_the_page_with_just_the_box(
    client: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    document = page(response)
    assert texts(document, "//h1") == ["SEARCH"]
    assert document.xpath(cls("search-form", "form") + "//input[@name='q']")
    assert document.xpath(HITS) == []
    assert document.xpath(cls("pager")) == []
    assert "noindex" in document.xpath("//meta[@name='robots']/@content")[0]


async def test_results_show_title_source_date_and_snippet_with_marks(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get("/search", params={"q": EVERYWHERE})
    assert response.status_code == 200
    document = page(response)
    assert _boxes(document) == [EVERYWHERE, EVERYWHERE]  # the header's and the page's
    assert "30 results" in texts(document, cls("section-meta"))[0]
    hits = document.xpath(HITS)
    assert len(hits) == 12
    best = hits[0]  # the only one with the word in its title
    link = best.xpath(".//h2/a")[0]
    assert link.get("href") == quote(article_path(seeded.rich, RICH_TITLE))
    assert link.text_content() == RICH_TITLE
    assert [mark.text.casefold() for mark in link.xpath(".//mark")] == [EVERYWHERE]
    assert best.xpath("." + cls("entry-source"))[0].text_content() == "Example Blog"
    assert best.xpath(".//time/@datetime")[0].endswith("Z")
    for hit in hits:
        snippet = hit.xpath("." + cls("search-snippet"))[0]
        assert EVERYWHERE in snippet.text_content().casefold()
        assert snippet.xpath(".//mark")


async def test_chinese_queries_find_and_mark_what_they_ask_for(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    title_part = page(await client.get("/search", params={"q": "机制详解"}))
    assert _ids(title_part) == [seeded.rich]
    assert "".join(title_part.xpath(HITS + "//h2//mark/text()")) == "机制详解"
    body_part = page(await client.get("/search", params={"q": "正文"}))
    assert "29 results" in texts(body_part, cls("section-meta"))[0]
    for snippet in body_part.xpath(cls("search-snippet")):
        marked = "".join(snippet.xpath(".//mark/text()"))
        assert marked
        assert set(marked) <= set("正文")
    mixed = page(await client.get("/search", params={"q": "Transformer 机制"}))
    assert _ids(mixed) == [seeded.rich]


async def test_results_are_paged_like_the_lists(client: httpx.AsyncClient, seeded: Seeded) -> None:
    pages = [
        page(await client.get("/search", params={"q": EVERYWHERE, "page": number}))
        for number in (1, 2, 3)
    ]
    shown = [hit for document in pages for hit in _ids(document)]
    assert sorted(shown) == sorted(seeded.newest_first)
    assert [len(document.xpath(HITS)) for document in pages] == [12, 12, 6]
    pager = cls("pager", "nav") + "//li"
    assert texts(pages[1], pager) == ["‹ Previous", "1", "2", "3", "Next ›"]
    assert pages[1].xpath(pager + "/a[@aria-current='page']/text()") == ["2"]
    assert hrefs(pages[1], "//a[@rel='prev']") == [f"/search?q={EVERYWHERE}"]
    assert hrefs(pages[1], "//a[@rel='next']") == [f"/search?q={EVERYWHERE}&page=3"]
    assert hrefs(pages[1], "//link[@rel='next']") == [f"/search?q={EVERYWHERE}&page=3"]
    assert pages[2].xpath(cls("entries", "ol") + "/@start") == ["25"]
    assert _boxes(pages[2]) == [EVERYWHERE, EVERYWHERE]
    chinese = page(await client.get("/search", params={"q": "正文 gradient", "page": 2}))
    assert hrefs(chinese, "//a[@rel='prev']") == ["/search?q=%E6%AD%A3%E6%96%87+gradient"]


async def test_a_count_cut_short_says_more_than(
    client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    search_module = importlib.import_module("incoming.index.search")
    monkeypatch.setattr(search_module, "RANK_WINDOW", 10)
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 11)
    first = page(await client.get("/search", params={"q": EVERYWHERE}))
    assert "more than 12 results" in texts(first, cls("section-meta"))[0]  # one past page 1
    pager = cls("pager", "nav") + "//li"
    assert texts(first, pager)[-1] == "Next ›"
    last = page(await client.get("/search", params={"q": EVERYWHERE, "page": 3}))
    assert "30 results" in texts(last, cls("section-meta"))[0]


@pytest.mark.parametrize(
    "params",
    [
        {"q": EVERYWHERE, "page": "0"},
        {"q": EVERYWHERE, "page": "-1"},
        {"q": EVERYWHERE, "page": "abc"},
        {"q": EVERYWHERE, "page": "1.5"},
        {"q": EVERYWHERE, "page": "02"},
        {"q": EVERYWHERE, "page": ""},
        {"q": EVERYWHERE, "page": "4"},
        {"q": EVERYWHERE, "page": "9" * 30},
        {"q": "", "page": "2"},
        {"q": "zzzzqqqq", "page": "2"},
    ],
)
async def test_a_bad_page_is_the_themed_404(
    client: httpx.AsyncClient, seeded: Seeded, params: dict[str, str]
) -> None:
    response = await client.get("/search", params=params)
    assert response.status_code == 404
    assert texts(page(response), "//h1") == ["NO SIGNAL"]


async def test_nothing_found_says_so_and_keeps_the_query(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    document = page(await client.get("/search", params={"q": "zzzzqqqq"}))
    assert document.xpath(HITS) == []
    assert "Nothing matches" in texts(document, cls("empty"))[0]
    assert _boxes(document) == ["zzzzqqqq", "zzzzqqqq"]


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "注意力" * 2_000,
        '"*',
        "NEAR(",
        "'--",
        '"unbalanced',
        "-",
        "OR",
        "!!! ??? ...",
        "source: topic: before:tomorrow after:2025-99-99",
        "a\x00b",
        "\ufffd",
        "<script>alert(1)</script>",
    ],
)
async def test_any_query_is_an_answer_never_an_error(
    client: httpx.AsyncClient, seeded: Seeded, query: str
) -> None:
    response = await client.get("/search", params={"q": query})
    assert response.status_code == 200
    document = page(response)
    assert all(len(value) <= SEARCH_MAX_CHARS for value in _boxes(document))
    assert document.xpath("//script[not(@src)]") == []
    assert "<script>alert" not in response.text


async def test_search_pages_are_cached_per_store_state_and_follow_it(
    store: Store, seeded: Seeded
) -> None:
    await assert_second_request_costs_no_query(store, "/search", {"q": EVERYWHERE})

    async with site_client(store) as client:
        before = await client.get("/search", params={"q": "transmogrify"})
        assert page(before).xpath(HITS) == []
        save_entries(store, seeded.feed_source, [entry(500, title="Transmogrify the weights")])
        after = await client.get(
            "/search",
            params={"q": "transmogrify"},
            headers={"If-None-Match": before.headers["etag"]},
        )
    assert after.status_code == 200
    assert len(page(after).xpath(HITS)) == 1


async def test_search_pages_use_a_bounded_cache_of_their_own(store: Store, seeded: Seeded) -> None:
    settings = replace(SETTINGS, marker_ttl_seconds=600, search_cache_bytes=64 * 1024)
    app = create_app(store, settings)
    async with open_client(app) as client:
        await client.get("/")
        for n in range(40):
            answer = await client.get("/search", params={"q": f"{EVERYWHERE} {n}"})
            assert answer.status_code == 200
    site = app.state.site
    assert site.searches.weight <= settings.search_cache_bytes
    assert 0 < len(site.searches) < 40
    assert len(site.pages) == 1  # the front page, not pushed out by them


async def test_article_pages_list_related_articles(
    client: httpx.AsyncClient, seeded: Seeded, store: Store
) -> None:
    document = page(await client.get(article_path(seeded.rich, RICH_TITLE)))
    (box,) = document.xpath(cls("related", "aside"))
    assert texts(box, ".//h2") == ["Related"]
    links = hrefs(box, ".//a")
    with store.read() as connection:
        expected = related_articles(connection, seeded.rich, limit=5)
    assert 1 <= len(expected) <= 5
    assert links == [quote(article_path(article_id, title)) for article_id, title in expected]
    assert texts(box, ".//a") == [title for _, title in expected]
    assert f"/a/{seeded.rich}/" not in " ".join(links)
    for link in links:
        assert (await client.get(link)).status_code == 200


async def test_related_articles_are_looked_up_once_per_article_change(
    store: Store, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    site_module = importlib.import_module("incoming.publish.site")
    found = site_module.related_articles

    def counted(connection: Any, article_id: int, *, limit: int) -> list[tuple[int, str]]:
        calls.append(article_id)
        return found(connection, article_id, limit=limit)

    monkeypatch.setattr(site_module, "related_articles", counted)
    async with site_client(store, replace(SETTINGS, marker_ttl_seconds=0)) as client:
        for _ in range(3):
            assert (
                await client.get(f"/a/{seeded.rich}/x", follow_redirects=True)
            ).status_code == 200
        # Another article changes the store, so the page is built again, not its related list.
        save_entries(store, seeded.feed_source, [entry(600, title="Unrelated news")])
        assert (await client.get(f"/a/{seeded.rich}/x", follow_redirects=True)).status_code == 200
    assert calls == [seeded.rich]


async def test_an_article_without_related_ones_has_no_box(
    client: httpx.AsyncClient, store: Store
) -> None:
    lonely = seed(store, count=0)
    document = page(await client.get(f"/a/{lonely.rich}/x", follow_redirects=True))
    assert document.xpath(cls("related")) == []
