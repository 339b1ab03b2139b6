"""Links from feeds: only http(s), however a script URL is disguised."""

from __future__ import annotations

import pytest

from incoming.parse.text import web_url

BASE = "https://blog.example/feed.xml"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "\u200bjavascript:alert(1)",
        "%6Aavascript:alert(1)",
        "java\u2060script:alert(1)",
        "data:text/html,x",
        "urn:uuid:1",
        "http://[::1/x",
    ],
)
def test_script_and_other_schemes_are_no_link(link: str) -> None:
    assert web_url(BASE, link) is None


@pytest.mark.parametrize(
    ("link", "url"),
    [
        ("posts/1", "https://blog.example/posts/1"),
        ("http://other.example/a", "http://other.example/a"),
        ("/notes/javascript-tips", "https://blog.example/notes/javascript-tips"),
    ],
)
def test_web_links_resolve(link: str, url: str) -> None:
    assert web_url(BASE, link) == url
