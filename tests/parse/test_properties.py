"""Properties over arbitrary bytes and feed-shaped text: parse_feed raises ParseError or works."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from incoming.errors import ParseError
from incoming.parse import parse_feed
from tests.support.fuzz import budget

PIECES = [
    *("<?xml version='1.0'?>", "<?xml version='1.0' encoding='gbk'?>", "<rss version='2.0'>"),
    *("<channel>", "</channel>", "<item>", "</item>", "<title>", "</title>", "<guid>", "</guid>"),
    *("<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "</entry>", "<link href='x'/>"),
    *("<description>", "</description>", "<pubDate>", "Mon, 01 Jan 0000 00:00:00 GMT", "</rss>"),
    *("<!DOCTYPE rss [", "<!ENTITY a 'aaaa'>", "]>", "&a;", "&amp;", "&#0;", "&#xD800;"),
    *('{"version": "https://jsonfeed.org/version/1.1", "items": [', '{"id": 1}', "]}", "null"),
    *("<![CDATA[", "]]>", "<!--", "-->", "\x00", "\ufeff", "字", "\udcff", "<html>", "<body>"),
]
FEEDS = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=30).map(
        lambda parts: "".join(parts).encode("utf-8", "replace")
    ),
)


@budget(200)
@given(body=FEEDS, content_type=st.sampled_from([None, "application/rss+xml", "text/html"]))
def test_parse_feed_parses_or_refuses_with_a_parse_error(body, content_type):
    try:
        feed = parse_feed(body, url="https://a.example/feed", content_type=content_type)
    except ParseError:
        return
    for entry in feed.entries:
        assert "\x00" not in (entry.title or "") + entry.content_html
