"""Every page of the site over HTTP, on SQLite and PostgreSQL, with the HTML parsed back."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import httpx
import pytest

from incoming.publish.urls import article_path
from incoming.store.engine import Store
from incoming.store.schema import articles
from tests.publish.html import cls, hrefs, page, texts
from tests.publish.support import RICH_TITLE, SETTINGS, Seeded, site_client

pytestmark = pytest.mark.anyio


async def test_front_page_shows_the_latest_twelve_with_everything_readers_need(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    document = page(response)
    assert texts(document, cls("brand")) == ["INCOMING TRANSMISSION"]
    assert texts(document, "//h1") == ["LATEST UPDATES"]
    entries = document.xpath(cls("entry", "article"))
    assert len(entries) == 12
    assert hrefs(document, cls("entry-title") + "/a")[0] == quote(
        article_path(seeded.rich, RICH_TITLE)
    )
    first = entries[0]
    assert first.xpath(".//h2")[0].text_content() == RICH_TITLE
    assert first.xpath("." + cls("entry-source"))[0].text_content() == "Example Blog"
    time = first.xpath(".//time")[0]
    assert time.get("datetime").endswith("Z")
    assert "UTC" in time.text_content()
    assert "ago" in time.text_content()
    assert [a.text_content() for a in first.xpath("." + cls("topics") + "//a")] == ["Research"]
    assert first.xpath("." + cls("entry-excerpt"))[0].text_content().strip()
    assert document.xpath("//main[@id='main']")
    assert document.xpath("//footer")
    assert document.xpath("//nav[@aria-label='Site']//a[@aria-current='page']/@href") == ["/"]


async def test_the_pager_reads_like_the_seeds(store: Store, seeded: Seeded) -> None:
    async with site_client(store, replace(SETTINGS, page_size=6)) as client:
        first = page(await client.get("/"))
        middle = page(await client.get("/page/3"))
        last = page(await client.get("/page/5"))
    pager = cls("pager", "nav") + "//li"
    assert texts(first, pager) == ["‹ Previous", "1", "2", "3", "...", "5", "Next ›"]
    assert texts(middle, pager) == ["‹ Previous", "1", "2", "3", "4", "5", "Next ›"]
    assert texts(last, pager) == ["‹ Previous", "1", "...", "3", "4", "5", "Next ›"]
    assert first.xpath(pager + "/a[@aria-current='page']/text()") == ["1"]
    assert middle.xpath(pager + "/a[@aria-current='page']/text()") == ["3"]
    assert hrefs(middle, "//a[@rel='prev']") == ["/page/2"]
    assert hrefs(middle, "//a[@rel='next']") == ["/page/4"]
    assert hrefs(middle, "//link[@rel='prev']") == ["/page/2"]
    assert hrefs(first, "//a[@rel='prev']") == []
    assert hrefs(last, "//a[@rel='next']") == []
    assert len(last.xpath(cls("entry", "article"))) == 6


async def test_pages_follow_the_latest_updates_order(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    shown: list[str] = []
    for path in ("/", "/page/2", "/page/3"):
        shown += hrefs(page(await client.get(path)), cls("entry-title") + "/a")
    ids = [int(href.split("/")[2]) for href in shown]
    assert ids == seeded.newest_first


@pytest.mark.parametrize(
    "path",
    [
        "/page/0",
        "/page/-1",
        "/page/abc",
        "/page/4",
        "/page/1.5",
        "/page/02",
        "/page/99999999999999999999999",
        "/a/0/x",
        "/a/abc",
        "/a/999999",
        "/a/99999999999999999999999999/x",
        "/source/999",
        "/source/x",
        "/source/1/page/9",
        "/topic/no-such-topic",
        "/topic/nlp/page/0",
        "/no/such/page",
        "/static/nothing.css",
        "/source/999/feed.atom",
        "/topic/nope/feed.json",
        "/feed.rss",
    ],
)
async def test_bad_input_is_a_themed_404(
    client: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    document = page(response)
    assert texts(document, "//h1") == ["NO SIGNAL"]
    assert texts(document, cls("brand")) == ["INCOMING TRANSMISSION"]
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_other_spellings_redirect_to_the_canonical_url(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    canonical = quote(article_path(seeded.rich, RICH_TITLE))
    for path in ("/page/1", f"/a/{seeded.rich}", f"/a/{seeded.rich}/wrong-slug"):
        response = await client.get(path)
        expected = "/" if path == "/page/1" else canonical
        assert (response.status_code, response.headers["location"]) == (301, expected), path
    assert (await client.get(f"/source/{seeded.feed_source}/page/1")).headers["location"] == (
        f"/source/{seeded.feed_source}"
    )
    assert (await client.get(canonical)).status_code == 200


async def test_article_page_has_its_content_math_code_outline_and_neighbours(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    response = await client.get(article_path(seeded.rich, RICH_TITLE))
    document = page(response)
    assert texts(document, "//h1") == [RICH_TITLE]
    labels = texts(document, cls("article-meta") + "//dt")
    assert labels == ["Author", "Original", "Published", "Updated", "Topics"]
    assert hrefs(document, cls("kicker") + "/a") == [f"/source/{seeded.feed_source}"]
    assert "https://blog.example.org/posts/29" in hrefs(document, cls("article-meta") + "//a")
    prose = document.xpath(cls("prose"))[0]
    assert prose.xpath(".//math[@display='inline']")
    assert prose.xpath(".//math[@display='block']")
    code = prose.xpath(".//pre[@class='highlight']/code[@class='language-python']")[0]
    assert code.xpath(".//span[@class='k']/text()")[:1] == ["def"]
    # The content's h1 went one level down so the title stays the only h1; sections got ids.
    assert [h.tag for h in prose.xpath(".//h2|.//h3|.//h4")] == ["h2", "h3", "h3", "h4", "h3"]
    toc = document.xpath("//nav[@aria-labelledby='toc-heading']//a")
    anchors = [a.get("href")[1:] for a in toc]
    assert [a.text_content() for a in toc] == [
        "Attention",
        "背景 Background",
        "Method",
        "Results",
    ]
    assert all(prose.xpath(f".//*[@id='{anchor}']") for anchor in anchors)
    assert prose.xpath(".//img/@alt") == ["BLEU by model size"]
    older = document.xpath("//a[@rel='next']/@href")
    assert int(older[0].split("/")[2]) == seeded.newest_first[1]
    assert document.xpath("//a[@rel='prev']") == []  # the newest has nothing newer


async def test_article_neighbours_walk_the_whole_order(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    middle = seeded.newest_first[12]
    response = await client.get(f"/a/{middle}", follow_redirects=True)
    document = page(response)
    newer = document.xpath("//a[@rel='prev']/@href")[0]
    older = document.xpath("//a[@rel='next']/@href")[0]
    assert int(newer.split("/")[2]) == seeded.newest_first[11]
    assert int(older.split("/")[2]) == seeded.newest_first[13]


async def test_source_and_topic_pages_list_their_own_articles(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    notes = page(await client.get(f"/source/{seeded.notes_source}"))
    assert texts(notes, "//h1") == ["Notes"]
    assert set(texts(notes, cls("entry-source"))) == {"Notes"}
    assert len(notes.xpath(cls("entry", "article"))) == 10
    assert notes.xpath(cls("pager", "nav")) == []
    feed = page(await client.get(f"/source/{seeded.feed_source}"))
    assert texts(feed, "//h1") == ["Example Blog"]
    assert hrefs(feed, "//a[@rel='next']") == [f"/source/{seeded.feed_source}/page/2"]
    assert "https://blog.example.org/" in hrefs(feed, cls("section-meta") + "//a")
    topic = page(await client.get("/topic/深度学习"))
    assert texts(topic, "//h1") == ["深度学习"]
    entries = topic.xpath(cls("entry", "article"))
    assert len(entries) == 10
    assert all("深度学习" in texts(entry, ".//ul")[0] for entry in entries)
    assert hrefs(topic, "//link[@type='application/atom+xml']")[-1] == quote(
        "/topic/深度学习/feed.atom"
    )


async def test_indexes_count_articles_per_source_and_topic(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    sources = page(await client.get("/sources"))
    assert texts(sources, "//h2") == ["Example Blog", "Notes"]
    assert [t.split(" articles")[0] for t in texts(sources, cls("index-meta"))] == ["20", "10"]
    topics = page(await client.get("/topics"))
    rows = texts(topics, cls("topic-index", "ul") + "/li")
    assert rows == ["Machine Learning 10", "NLP 10", "Research 20", "深度学习 10"]
    assert hrefs(topics, "//main//a")[3] == quote("/topic/深度学习")


async def test_an_empty_site_still_answers(client: httpx.AsyncClient) -> None:
    front = await client.get("/")
    assert front.status_code == 200
    assert "No transmissions received yet" in front.text
    assert (await client.get("/page/2")).status_code == 404
    for path in ("/sources", "/topics", "/feed.atom", "/feed.json", "/opml", "/search?q=x"):
        assert (await client.get(path)).status_code == 200, path


async def test_untrusted_links_never_reach_an_href(store: Store, seeded: Seeded) -> None:
    with store.write() as connection:
        connection.execute(
            articles.update().where(articles.c.id == seeded.rich).values(url="javascript:alert(1)")
        )
    async with site_client(store) as client:
        response = await client.get(f"/a/{seeded.rich}", follow_redirects=True)
    assert "javascript:" not in response.text
