"""Content formats the whole way: served over HTTP, fetched, read as what it is, stored, shown.

The corpus has no Hexo feed and no Markdown feed, so real pages and notes from it are served in
the envelopes Hexo and cnblogs write: an Atom `<content>` without a type holding a real KaTeX
page's article, and a real d2l chapter as an RSS description and as JSON Feed `content_text`.
Real feeds are served as they are where the corpus has them (mlog.club, DIYgod's Hexo blog).
"""

from __future__ import annotations

import asyncio
import json
from html import escape
from pathlib import Path

import lxml.html
import pytest

from incoming.errors import SourceError
from incoming.fetch import FetchSettings
from incoming.parse.content_format import ContentFormat
from incoming.publish.urls import article_path
from incoming.sources import service
from incoming.store.articles import Article, latest_articles
from incoming.store.engine import Store
from incoming.store.sources import find_source
from tests.publish.support import site_client
from tests.support.server import FixtureServer

pytestmark = pytest.mark.corpus

LOCAL = FetchSettings(allow_private_addresses=True)
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
JSON_FEED = {"Content-Type": "application/feed+json"}
KATEX_PAGE = "html/llm-webkit-mirror/math_csdn_none_formula.html"
D2L_CHAPTER = "markdown/d2l-zh/chapter_optimization_adam.md"
MLOG = "feeds/zh/rssant/feedlib/testdata/parser/warn/https-mlog-club-topic-atom-xml.xml"
DIYGOD = "feeds/zh/rssant/feedlib/testdata/parser/well/diygod-me-atom.xml"


def hexo_atom(content: str, *, entry: str = "1") -> bytes:
    """An Atom feed as Hexo's generator writes it: `<content>` with no type, in CDATA."""
    cdata = content.replace("]]>", "]]]]><![CDATA[>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>Hexo 博客</title><id>https://hexo.example/</id>"
        '<link href="https://hexo.example/"/><updated>2025-09-02T08:00:00.000Z</updated>'
        f"<entry><title>文章 {entry}</title><id>https://hexo.example/{entry}/</id>"
        f'<link href="https://hexo.example/{entry}/"/>'
        "<updated>2025-09-02T08:00:00.000Z</updated>"
        f"<content><![CDATA[{cdata}]]></content>"
        '<summary type="html">&lt;p&gt;摘要&lt;/p&gt;</summary></entry></feed>'
    ).encode()


def cnblogs_rss(markdown: str) -> bytes:
    """An RSS feed as a cnblogs backup writes it: the post's Markdown as the description."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>博客园备份</title><link>https://www.cnblogs.com/someone/</link>"
        "<item><title>Adam 算法</title><guid>https://www.cnblogs.com/someone/p/1.html</guid>"
        "<link>https://www.cnblogs.com/someone/p/1.html</link>"
        f"<description><![CDATA[{markdown}]]></description></item></channel></rss>"
    ).encode()


def article_of(corpus: Path) -> str:
    """The `<article>` of the corpus's KaTeX page: what a Hexo post with KaTeX holds."""
    document = lxml.html.document_fromstring((corpus / KATEX_PAGE).read_text(encoding="utf-8"))
    return lxml.html.tostring(document.xpath("//article")[0], encoding="unicode")


def add(store: Store, url: str, content_format: ContentFormat = ContentFormat.AUTO) -> None:
    asyncio.run(
        service.add_source(
            store, url, topic=None, fetch_settings=LOCAL, content_format=content_format
        )
    )


def articles(store: Store) -> list[Article]:
    with store.read() as connection:
        return latest_articles(connection, limit=500)


def shown(store: Store, article: Article) -> lxml.html.HtmlElement:
    """The article page's prose, as the site serves it."""

    async def get() -> str:
        async with site_client(store) as client:
            response = await client.get(article_path(article.id, article.title))
            assert response.status_code == 200
            return response.text

    document = lxml.html.document_fromstring(asyncio.run(get()))
    return document.xpath("//div[@class='prose']")[0]


def test_hexo_content_without_type_is_shown_as_html_with_its_formulas(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    server.route("/atom.xml", body=hexo_atom(article_of(corpus)), headers=ATOM)
    add(store, server.url("/atom.xml"))
    (article,) = articles(store)
    assert "&lt;" not in article.excerpt_html
    assert not article.content_text.lstrip().startswith("<")
    prose = shown(store, article)
    markup = lxml.html.tostring(prose, encoding="unicode")
    assert markup.count("<math") >= 120
    assert "&lt;p" not in markup
    assert "&lt;span" not in markup
    assert "摘要" not in prose.text_content()  # the full content, not the summary


def test_markdown_feeds_are_rendered_like_notes(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    markdown = (corpus / D2L_CHAPTER).read_text(encoding="utf-8")
    server.route("/rss.xml", body=cnblogs_rss(markdown), headers=RSS)
    item = {
        "id": "adam",
        "url": "https://static.example/adam",
        "title": "Adam",
        "content_text": markdown,
    }
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "静态站", "items": [item]}
    server.route("/feed.json", body=json.dumps(feed).encode(), headers=JSON_FEED)
    add(store, server.url("/rss.xml"))
    add(store, server.url("/feed.json"))
    stored = articles(store)
    assert len(stored) == 2
    for article in stored:
        prose = shown(store, article)
        markup = lxml.html.tostring(prose, encoding="unicode")
        assert "```" not in prose.text_content()
        assert "$$" not in prose.text_content()
        assert prose.xpath(".//h1|.//h2|.//h3")
        assert markup.count("<math") >= 20
        languages = {code.get("class") for code in prose.xpath(".//pre/code")}
        assert languages == {"language-python"}, languages


def test_plain_text_keeps_its_lines_on_the_page(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    server.route("/topic/atom.xml", body=(corpus / MLOG).read_bytes(), headers=ATOM)
    add(store, server.url("/topic/atom.xml"))
    robots = next(a for a in articles(store) if "robots.txt" in a.content_text)
    prose = shown(store, robots)
    (paragraph,) = prose.xpath(".//p")
    assert len(paragraph.xpath("br")) == 3
    assert (
        paragraph.text_content()
        == "问下大神 robots.txt 是怎么搞的？sitemap.xmlsitemap_archive.xml是怎么生成的"
    )


def test_the_source_format_is_stored_and_used_on_every_fetch(
    store: Store, server: FixtureServer
) -> None:
    server.route("/atom.xml", body=hexo_atom("<p>第一篇</p>"), headers=ATOM)
    add(store, server.url("/atom.xml"), ContentFormat.TEXT)
    with store.read() as connection:
        assert find_source(connection, server.url("/atom.xml")).content_format == "text"
    (first,) = articles(store)
    assert first.content_text == "<p>第一篇</p>"

    server.route("/atom.xml", body=hexo_atom("<p>第二篇</p>", entry="2"), headers=ATOM)
    asyncio.run(service.fetch_sources(store, None, fetch_settings=LOCAL))
    second = next(a for a in articles(store) if a.title == "文章 2")
    assert second.content_text == "<p>第二篇</p>"
    assert escape("<p>第二篇</p>") in lxml.html.tostring(shown(store, second), encoding="unicode")


def test_notes_folders_take_no_format(store: Store, tmp_path: Path) -> None:
    (tmp_path / "note.md").write_text("# 笔记\n", encoding="utf-8")
    with pytest.raises(SourceError, match="notes folder: its notes are Markdown"):
        add(store, str(tmp_path), ContentFormat.HTML)
    assert articles(store) == []


def test_hexo_code_blocks_keep_their_language_on_the_page(
    store: Store, server: FixtureServer, corpus: Path
) -> None:
    """DIYgod's real Hexo feed: `figure.highlight js` tables with gutters become highlighted
    `<pre><code class="language-js">` blocks, line numbers gone."""
    server.route("/atom.xml", body=(corpus / DIYGOD).read_bytes(), headers=ATOM)
    add(store, server.url("/atom.xml"))
    languages: dict[str, int] = {}
    for article in articles(store):
        if "<pre>" not in article.content_html:
            continue
        for code in shown(store, article).xpath(".//pre/code"):
            language = code.get("class", "")
            languages[language] = languages.get(language, 0) + 1
            assert not code.text_content().startswith("1\n2\n"), article.title
    assert languages == {
        "language-js": 9,
        "language-html": 6,
        "language-bash": 2,
        "language-css": 1,
    }
