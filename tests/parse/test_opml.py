"""parse_opml / render_opml: nested topics, case-insensitive attributes, safe XML, round trip."""

from __future__ import annotations

import pytest

from incoming.errors import ParseError
from incoming.parse import OpmlOutline, parse_opml, render_opml


def test_nested_outlines_give_the_innermost_topic(data):
    assert parse_opml((data / "nested.opml").read_bytes()) == [
        OpmlOutline(
            "https://top.example.com/feed", "Top level feed", "https://top.example.com/", None
        ),
        OpmlOutline(
            "https://papers.example.com/rss", "Papers", "https://papers.example.com/", "机器学习"
        ),
        OpmlOutline("https://deep.example.com/atom.xml", "Deep blog", None, "Deep"),
        OpmlOutline("https://back.example.com/feed", "Back in 机器学习", None, "机器学习"),
        OpmlOutline("https://untitled.example.com/feed", None, None, None),
    ]


def test_round_trip_through_render(data):
    outlines = parse_opml((data / "nested.opml").read_bytes())
    rendered = render_opml(outlines, title="Mine & yours")
    assert rendered.startswith(b"<?xml")
    assert b'<opml version="2.0">' in rendered
    assert b"<title>Mine &amp; yours</title>" in rendered
    assert sorted(parse_opml(rendered), key=repr) == sorted(outlines, key=repr)


def test_render_groups_by_topic():
    outlines = [
        OpmlOutline("https://a.example/feed", "A", None, "ml"),
        OpmlOutline("https://b.example/feed", "B", None, None),
        OpmlOutline("https://c.example/feed", "C", "https://c.example/", "ml"),
    ]
    rendered = render_opml(outlines, title="t").decode()
    assert rendered.count('text="ml"') == 1
    assert parse_opml(rendered.encode()) == [outlines[1], outlines[0], outlines[2]]


def test_gbk_encoded_opml(data):
    body = (
        '<?xml version="1.0" encoding="gbk"?><opml version="1.0"><body>'
        '<outline text="深度学习"><outline text="博客" xmlUrl="https://x.example/rss"/></outline>'
        "</body></opml>"
    ).encode("gb18030")
    assert parse_opml(body) == [OpmlOutline("https://x.example/rss", "博客", None, "深度学习")]


def test_external_entities_are_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://x.example/&xxe;"/>'
        "</body></opml>"
    ).encode()
    try:
        outlines = parse_opml(body)
    except ParseError:
        return
    assert "TOP-SECRET" not in repr(outlines)


def test_entity_bomb_is_refused():
    laughs = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY l0 "ha">{laughs}]>'
        '<opml><body><outline text="&l9;" xmlUrl="https://x.example/"/></body></opml>'
    ).encode()
    with pytest.raises(ParseError):
        parse_opml(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<opml><body><outline></body></opml>", "not well-formed"),
        (b"", "not well-formed"),
        (b"<rss version='2.0'/>", "root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
    ],
)
def test_bad_opml_is_a_parse_error(body, message):
    with pytest.raises(ParseError, match=message):
        parse_opml(body)
