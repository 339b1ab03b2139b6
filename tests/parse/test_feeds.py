"""parse_feed on our own RSS, Atom and JSON Feed fixtures: every field the pipeline uses."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incoming.errors import NotAFeedError, ParseError
from incoming.models import ParsedFeed
from incoming.parse import parse_feed

FEED_URL = "http://example.org/feeds/main.xml"


def parse(data: Path, name: str, content_type: str | None = None) -> ParsedFeed:
    return parse_feed((data / name).read_bytes(), url=FEED_URL, content_type=content_type)


def test_rss20_fields(data):
    feed = parse(data, "rss20.xml")
    assert feed.title == "ML Notes & More"
    assert feed.site_url == "http://example.org/blog/"
    assert feed.language == "zh-CN"
    assert feed.ttl_seconds == 90 * 60
    assert feed.warnings == ()
    first, untitled, future = feed.entries
    assert first.title == "Attention is all you need"
    assert first.guid == "post-1"
    assert first.url == "http://example.org/blog/attention"
    assert first.base_url == first.url
    assert first.author == "Ada"
    assert first.language == "zh-CN"
    assert first.categories == ("nlp", "transformers")
    assert first.published == datetime(2024, 1, 1, 19, 4, 5, tzinfo=UTC)
    assert "fig1.png" in first.content_html
    assert "\\(x^2\\)" in first.content_html
    assert untitled.title == ""
    assert untitled.guid is None
    assert untitled.published is None
    assert untitled.content_html == '<p>Escaped <a href="../rel">HTML</a></p>'
    assert future.published is None
    assert future.guid == "http://example.org/blog/future"


def test_rss091(data):
    feed = parse(data, "rss091.xml")
    assert feed.title == "Old School Weblog"
    assert feed.language == "en-us"
    (entry,) = feed.entries
    assert entry.title == "First & only"
    assert entry.url == "http://old.example.com/first"
    assert entry.guid is None
    assert "<b>bold</b>" in entry.content_html


def test_rss10_content_encoded_wins_and_syndication_ttl(data):
    feed = parse(data, "rss10.xml")
    assert feed.ttl_seconds == 86400 // 4
    assert feed.language == "de"
    (entry,) = feed.entries
    assert entry.content_html == "<p>Lang und <em>reich</em>.</p>"
    assert entry.author == "Erika Mustermann"
    assert entry.published is None  # feedparser reads dc:date as the update time
    assert entry.updated == datetime(2024, 2, 3, 3, 5, 6, tzinfo=UTC)
    assert entry.categories == ("Statistik",)


def test_atom03(data):
    feed = parse(data, "atom03.xml")
    assert feed.title == "Carnet 0.3"
    assert feed.site_url == "http://atom03.example.net/"
    (entry,) = feed.entries
    assert entry.guid == "tag:atom03.example.net,2005:1"
    assert entry.author == "Jean"
    assert entry.language == "fr"
    assert entry.content_html == "<p>Bonjour</p>"
    assert entry.updated == datetime(2005, 7, 31, 12, 29, 29, tzinfo=UTC)


def test_atom10_bases_titles_and_content_choice(data):
    feed = parse(data, "atom10.xml")
    assert feed.title == "Deep Learning Digest"
    assert feed.site_url == "http://atom.example.com/blog/"
    rich, summary_only, linkless = feed.entries
    assert rich.title == "Backprop explained"
    assert rich.url == "http://atom.example.com/blog/posts/backprop.html"
    # The content's own xml:base, not the entry link, is what its relative URLs mean.
    assert rich.base_url == "http://atom.example.com/media/"
    assert 'src="chain.png"' in rich.content_html  # left relative for the cleaner
    assert rich.language == "en-GB"
    assert rich.author == "Feed Author"
    assert rich.categories == ("optimisation", "Label only")
    assert rich.published == datetime(2024, 4, 1, 8, 0, tzinfo=UTC)
    assert rich.updated == datetime(2024, 4, 2, 10, 0, tzinfo=UTC)
    assert summary_only.author == "Guest"
    assert summary_only.content_html == ("<p>Line one &lt;not a tag&gt;</p><p>Line two</p>")
    assert summary_only.published is None
    assert linkless.url is None
    assert linkless.base_url == "http://atom.example.com/blog/"


def test_relative_links_without_xml_base_resolve_against_the_feed_url(data):
    body = b"""<rss version="2.0"><channel><title>t</title><link>../home</link>
    <item><title>a</title><link>posts/a.html</link>
    <description>&lt;img src="x.png"&gt;</description></item>
    <item><title>b</title><description>no link</description></item></channel></rss>"""
    feed = parse_feed(body, url=FEED_URL)
    assert feed.site_url == "http://example.org/home"
    linked, unlinked = feed.entries
    assert linked.url == linked.base_url == "http://example.org/feeds/posts/a.html"
    assert unlinked.url is None
    assert unlinked.base_url == FEED_URL


def test_json_feed_10(data):
    feed = parse(data, "jsonfeed10.json", "application/feed+json")
    assert feed.title == "JSON One"
    assert feed.site_url == "https://json.example.com/"
    assert feed.warnings == ("item 2 is not an object; skipped",)
    numbered, html = feed.entries
    assert numbered.guid == "42"
    assert numbered.url == numbered.base_url == "http://example.org/posts/42"
    assert numbered.title == "Numbers & ids"
    assert numbered.content_html == (
        "<p>First paragraph with &lt;angle&gt; brackets.</p><p>Second paragraph.</p>"
    )
    assert numbered.published == datetime(2024, 1, 1, 19, 4, 5, tzinfo=UTC)
    assert numbered.categories == ("json", "spec")
    assert numbered.author == "Feed Writer"
    assert html.content_html == "<p>HTML wins</p>"
    assert html.updated == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert html.author == "Item Writer"
    assert html.url is None
    assert html.base_url == FEED_URL


def test_json_feed_11(data):
    feed = parse(data, "jsonfeed11.json")
    assert feed.language == "en-US"
    summary_only, plain = feed.entries
    assert summary_only.content_html == "<p>Just a summary.</p>"
    assert summary_only.language == "de"
    assert summary_only.author == "Carol"
    assert summary_only.published is None  # 1969 is before the sane range
    assert plain.language == "en-US"
    assert plain.author == "Alice, Bob"


def test_json_served_as_text_plain_is_still_sniffed(data):
    assert parse(data, "jsonfeed11.json", "text/plain").title == "JSON 1.1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"title": "x"}', "not a JSON Feed"),
        (b'{"items": [', "not valid JSON"),
        (b"just some words", "not a feed"),
        (b"", "not a feed"),
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "not an RSS or Atom feed"),
        (b"<opml version='2.0'><body/></opml>", "OPML"),
        (b"<rss version='2.0'><channel><title>x &bogus; y</title></channel>", "not a readable"),
    ],
)
def test_what_is_not_a_feed_raises_parse_error_naming_the_url(body, message):
    with pytest.raises(ParseError, match=message) as raised:
        parse_feed(body, url=FEED_URL)
    assert FEED_URL in str(raised.value) or "JSON" in str(raised.value)


def test_recovered_broken_feed_is_accepted_with_a_warning(data):
    feed = parse(data, "broken.xml")
    assert [entry.title for entry in feed.entries] == ["Survivor", "Second"]
    assert feed.entries[0].url == "http://broken.example.com/1?a=1&b=2"
    assert len(feed.warnings) == 1
    assert "not well-formed" in feed.warnings[0]


def test_html_page_raises_not_a_feed_with_its_feed_links(data):
    with pytest.raises(NotAFeedError, match="HTML page") as raised:
        parse_feed((data / "page_with_feeds.html").read_bytes(), url="http://blog.example/x/")
    assert "http://blog.example/x/" in str(raised.value)
    assert raised.value.feed_links[0] == "http://blog.example/site/feed.xml"


def test_html_page_served_as_rss_without_feed_links(data):
    with pytest.raises(NotAFeedError) as raised:
        parse_feed(
            (data / "page_without_feeds.html").read_bytes(),
            url=FEED_URL,
            content_type="application/rss+xml",
        )
    assert raised.value.feed_links == []
    assert "no feed" in str(raised.value)


def test_feed_served_as_text_html_is_still_a_feed(data):
    feed = parse(data, "rss20.xml", "text/html; charset=utf-8")
    assert len(feed.entries) == 3


@pytest.mark.parametrize(
    ("name", "content_type", "title", "item"),
    [
        ("gbk_declared_gb2312.xml", None, "机器学习笔记", "朱镕基与深度学习 𠀀 €"),
        ("big5.xml", "application/rss+xml", "機器學習筆記", "香港字㗎與繁體中文"),
        (
            "gbk_no_declaration.xml",
            "text/xml; charset=ISO-8859-1",
            "自然语言处理周报",
            "注意力机制详解",
        ),
        ("gbk_declared_latin1.xml", None, "强化学习入门", "策略梯度"),
        ("gbk_declared_latin1.xml", "text/xml; charset=latin1", "强化学习入门", "策略梯度"),
        ("utf8_declared_latin1.xml", None, "Café 数学", "naïve résumé"),
        ("cp1252.xml", "text/xml; charset=iso-8859-1", "Café \u201cquotes\u201d €", "naïve"),
        ("utf8_bom.xml", "text/xml; charset=gbk", "带BOM的标题", "条目"),
        ("utf16le_bom.xml", None, "UTF-16 标题", "条目"),
        ("controls.xml", None, "Bad controls here", "ok"),
    ],
)
def test_encodings_decode_without_mojibake(data, name, content_type, title, item):
    feed = parse(data, name, content_type)
    assert feed.title == title
    assert feed.entries[0].title == item
    assert item in feed.entries[0].content_html
    assert feed.warnings == ()


def entries_xml(count: int) -> bytes:
    items = "".join(
        f"<item><title>第{i}篇</title><link>/p/{i}</link><guid>g{i}</guid>"
        f"<pubDate>Mon, 03 Apr 2023 01:02:03 GMT</pubDate><description>b{i}</description></item>"
        for i in range(count)
    )
    head = '<?xml version="1.0" encoding="gbk"?><rss version="2.0"><channel><title>big</title>'
    return (head + items + "</channel></rss>").encode("gb18030")


def test_large_feed_parses_in_linear_time():
    small, large = entries_xml(1000), entries_xml(4000)
    started = time.perf_counter()
    parse_feed(small, url=FEED_URL)
    small_seconds = time.perf_counter() - started
    started = time.perf_counter()
    feed = parse_feed(large, url=FEED_URL)
    large_seconds = time.perf_counter() - started
    assert len(feed.entries) == 4000
    assert feed.entries[-1].guid == "g3999"
    assert feed.entries[-1].title == "第3999篇"
    # Four times the entries: linear is ~4x; quadratic would be ~16x.
    assert large_seconds < small_seconds * 8 + 0.5


def test_entities_declared_on_one_line_are_not_expanded():
    """feedparser drops only declarations that start a line: this bomb used to take seconds."""
    laughs = "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' if n else '<!ENTITY l0 "lol">' for n in range(10)
    )
    body = (
        f"<?xml version='1.0'?><!DOCTYPE rss [{laughs}<!ENTITY nbsp '&#160;'>]><rss version='2.0'>"
        "<channel><title>t</title><item><guid>1</guid><title>a&nbsp;b &l9;</title></item>"
        "</channel></rss>"
    ).encode()
    started = time.perf_counter()
    [item] = parse_feed(body, url="https://a.example/feed").entries
    assert time.perf_counter() - started < 0.5
    assert item.title == "a b &l9;"  # the declared character kept (a space in a title)


@pytest.mark.parametrize("reference", ["&#xD800;", "&#55296;", "&#x110000;", "&#99999999999;"])
def test_references_to_no_character_are_replaced_not_raised(reference):
    """feedparser's forgiving parser raised UnicodeEncodeError on these (found by hypothesis)."""
    body = f"<rss version='2.0'><channel><item><title>a{reference}b</title>x<y".encode()
    [item] = parse_feed(body, url="https://a.example/feed").entries
    assert item.title == "a\ufffdb"


def test_control_characters_in_json_titles_and_authors_are_dropped():
    """JSON can carry ESC and BEL (XML cannot): they would drive the terminal of the CLI."""
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1",'
        b' "title": "a\\u001b[2Jb\\u0007", "authors": [{"name": "\\u001b]8;;x\\u0007n"}],'
        b' "content_text": "c"}]}'
    )
    [item] = parse_feed(body, url="https://a.example/feed.json").entries
    assert (item.title, item.author) == ("a[2Jb", "]8;;xn")
