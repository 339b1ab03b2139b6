"""discover_feed_links: announced feeds, resolved, in order, without repeats."""

from __future__ import annotations

from incoming.parse import discover_feed_links


def test_links_resolve_against_base_and_keep_document_order(data):
    html = (data / "page_with_feeds.html").read_text()
    assert discover_feed_links(html, "http://blog.example/x/page.html") == [
        "http://blog.example/site/feed.xml",
        "https://other.example.org/atom",
        "http://blog.example/site/feed.json",
        "http://blog.example/api/feed.json",
    ]


def test_without_base_element_the_page_url_is_the_base():
    html = '<link rel="alternate" type="application/atom+xml" href="../atom.xml">'
    assert discover_feed_links(html, "https://a.example/b/c/") == ["https://a.example/b/atom.xml"]


def test_page_without_feed_links(data):
    html = (data / "page_without_feeds.html").read_text()
    assert discover_feed_links(html, "http://x.example/") == []


def test_broken_markup_and_missing_attributes_are_tolerated():
    html = (
        "<link rel=alternate type=application/rss+xml>"  # no href
        "<link rel=alternate href=/no-type>"
        "<div><link rel=alternate type=application/rss+xml href=/ok.xml"
    )
    assert discover_feed_links(html, "http://x.example/") == []
    html += ">"
    assert discover_feed_links(html, "http://x.example/") == ["http://x.example/ok.xml"]
