"""The site's pure decisions, without a server: pager, slugs, dates, outlines, colours, HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib.resources import files

import pytest
import regex
from pygments.styles import get_style_by_name
from pygments.token import Whitespace
from starlette.requests import Request

from incoming.errors import ConfigError
from incoming.publish.assets import code_css
from incoming.publish.dates import absolute_time, machine_time, relative_time
from incoming.publish.http import accepted_encoding, is_not_modified
from incoming.publish.outline import outline
from incoming.publish.pagination import pager_items
from incoming.publish.settings import SiteSettings, settings_from_json, settings_to_json
from incoming.publish.site import LRU
from incoming.publish.urls import (
    article_path,
    external_url,
    href,
    page_href,
    page_path,
    search_url,
    slugify,
)


@pytest.mark.parametrize(
    ("current", "total", "shown"),
    [
        (1, 1, "1"),
        (1, 2, "1 2"),
        (2, 2, "1 2"),
        (1, 5, "1 2 3 ... 5"),
        (3, 5, "1 2 3 4 5"),
        (5, 5, "1 ... 3 4 5"),
        (4, 6, "1 2 3 4 5 6"),
        (10, 100, "1 ... 8 9 10 11 12 ... 100"),
        (2000, 83334, "1 ... 1998 1999 2000 2001 2002 ... 83334"),
        (83334, 83334, "1 ... 83332 83333 83334"),
    ],
)
def test_pager_shows_first_last_neighbours_and_gaps(current: int, total: int, shown: str) -> None:
    items = pager_items(current, total)
    assert " ".join("..." if item is None else str(item) for item in items) == shown


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Attention Is All You Need", "attention-is-all-you-need"),
        ("什么是Word2Vec和Embeddings?", "什么是word2vec和embeddings"),
        ("  --RNN 概述--  ", "rnn-概述"),
        ("", "article"),
        ("?!…", "article"),
        ("x" * 200, "x" * 80),
    ],
)
def test_slugs_keep_letters_of_every_script(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_paths() -> None:
    assert article_path(7, "RNN 概述") == "/a/7/rnn-概述"
    assert href("/a/7/rnn-概述") == "/a/7/rnn-%E6%A6%82%E8%BF%B0"
    assert page_path("/", 1) == "/"
    assert page_path("/", 3) == "/page/3"
    assert page_path("/topic/nlp", 2) == "/topic/nlp/page/2"
    assert page_href("/topic/深度学习", 2) == "/topic/%E6%B7%B1%E5%BA%A6%E5%AD%A6%E4%B9%A0/page/2"
    assert search_url("注意力 & DPO") == "/search?q=%E6%B3%A8%E6%84%8F%E5%8A%9B+%26+DPO"
    assert search_url("DPO", 1) == "/search?q=DPO"
    assert search_url("DPO", 3) == "/search?q=DPO&page=3"
    assert external_url("javascript:alert(1)") is None
    assert external_url(None) is None
    assert external_url("HTTPS://example.org/") == "HTTPS://example.org/"


NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "phrase"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(hours=3, minutes=59), "3 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=13), "1 week ago"),
        (timedelta(days=65), "2 months ago"),
        (timedelta(days=800), "2 years ago"),
        (timedelta(hours=-5), "in 5 hours"),
    ],
)
def test_relative_time(delta: timedelta, phrase: str) -> None:
    assert relative_time(NOW - delta, NOW) == phrase


def test_machine_and_absolute_time_are_utc() -> None:
    moment = datetime(2026, 1, 10, 20, 5, 9, 123, tzinfo=UTC)
    assert machine_time(moment) == "2026-01-10T20:05:09Z"
    assert absolute_time(moment) == "2026-01-10 20:05 UTC"


def test_outline_anchors_sections_and_keeps_everything_else_byte_for_byte() -> None:
    html = (
        '<p>x<math><mi>a</mi><mspace width="1em"></mspace></math></p>\n'
        "<h2>Intro &amp; <code>setup</code></h2><p>a</p>\n"
        '<h3 id="given" title="a &gt; b">Given</h3>'
        "<h2>Intro &amp; setup</h2><h4>Deep</h4>"
    )
    result = outline(html)
    assert [(h.level, h.anchor, h.text) for h in result.headings] == [
        (2, "s-intro-setup", "Intro & setup"),
        (3, "given", "Given"),
        (2, "s-intro-setup-2", "Intro & setup"),
    ]
    assert result.html == (
        '<p>x<math><mi>a</mi><mspace width="1em"></mspace></math></p>\n'
        '<h2 id="s-intro-setup">Intro &amp; <code>setup</code></h2><p>a</p>\n'
        '<h3 id="given" title="a &gt; b">Given</h3>'
        '<h2 id="s-intro-setup-2">Intro &amp; setup</h2><h4>Deep</h4>'
    )


def test_outline_moves_headings_down_when_the_content_uses_h1() -> None:
    result = outline("<h1>Top</h1><h2>Sub</h2><h6>Least</h6><p>Text</p>")
    assert result.html == (
        '<h2 id="s-top">Top</h2><h3 id="s-sub">Sub</h3><h6>Least</h6><p>Text</p>'
    )
    assert [h.text for h in result.headings] == ["Top", "Sub"]


def test_outline_of_math_headings_uses_the_formula_not_its_tex() -> None:
    heading = (
        '<h2>Loss <math><mi>L</mi><annotation encoding="application/x-tex">'
        "\\mathcal{L}</annotation></math></h2>"
    )
    assert outline(heading).headings[0].text == "Loss L"


def _contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_site_colours_meet_wcag_aa_in_both_themes() -> None:
    css = (files("incoming.publish") / "static" / "site.css").read_text()
    pairs = {
        name: (light, dark)
        for name, light, dark in regex.findall(
            r"--([a-z-]+): light-dark\((#[0-9a-f]{6}), (#[0-9a-f]{6})\)", css
        )
    }
    for index, theme in enumerate(("light", "dark")):
        colour = {name: pair[index] for name, pair in pairs.items()}
        for text in ("text", "muted", "accent", "amber"):
            for background in ("bg", "surface", "surface-strong"):
                ratio = _contrast(colour[text], colour[background])
                assert ratio >= 4.5, (theme, text, background, ratio)
        assert _contrast(colour["bg"], colour["accent"]) >= 4.5  # the current page number
        assert _contrast(colour["text"], colour["mark"]) >= 4.5  # matches in search results


@pytest.mark.parametrize("style", [SiteSettings().light_code_style, SiteSettings().dark_code_style])
def test_default_code_styles_meet_wcag_aa(style: str) -> None:
    chosen = get_style_by_name(style)
    for token, rule in chosen:
        if rule["color"] and token not in Whitespace:
            background = f"#{rule['bgcolor']}" if rule["bgcolor"] else chosen.background_color
            assert _contrast(f"#{rule['color']}", background) >= 4.5, (style, token)


def test_code_css_scopes_each_theme_exclusively() -> None:
    css = code_css(light="default", dark="github-dark")
    assert ':root:not([data-theme="light"]) .highlight .k { color: #FF7B72 }' in css
    assert ':root[data-theme="light"] .highlight .k { color: #008000; font-weight: bold }' in css
    assert "pre {" not in css
    with pytest.raises(ConfigError, match="unknown code style"):
        code_css(light="no-such-style", dark="github-dark")


def _request(**headers: str) -> Request:
    raw = [
        (name.replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()
    ]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("GZIP;q=0.5", "gzip"),
        ("br;q=bad", None),
    ],
)
def test_accepted_encoding(accept: str, chosen: str | None) -> None:
    assert accepted_encoding(_request(accept_encoding=accept)) == chosen


def test_conditional_requests() -> None:
    modified = datetime(2026, 1, 10, 12, 0, 30, 500, tzinfo=UTC)
    etag = 'W/"abc"'
    assert is_not_modified(_request(if_none_match='W/"abc"'), etag, modified)
    assert is_not_modified(_request(if_none_match='"x", "abc"'), etag, modified)
    assert is_not_modified(_request(if_none_match="*"), etag, modified)
    assert not is_not_modified(_request(if_none_match='"x"'), etag, modified)
    # If-None-Match wins: a matching date does not rescue a different tag.
    since = "Sat, 10 Jan 2026 12:00:30 GMT"
    assert not is_not_modified(
        _request(if_none_match='"x"', if_modified_since=since), etag, modified
    )
    assert is_not_modified(_request(if_modified_since=since), etag, modified)
    earlier = "Sat, 10 Jan 2026 12:00:29 GMT"
    assert not is_not_modified(_request(if_modified_since=earlier), etag, modified)
    assert not is_not_modified(_request(if_modified_since="yesterday"), etag, modified)
    assert not is_not_modified(_request(), etag, modified)


@pytest.mark.parametrize(
    "changes",
    [
        {"page_size": 0},
        {"page_size": 500},
        {"feed_size": 0},
        {"search_cache_bytes": 0},
        {"refresh_every_seconds": 0},
        {"marker_ttl_seconds": -1},
        {"base_url": "ftp://example.org"},
        {"max_header_bytes": 0},
        {"header_timeout_seconds": 0},
        {"max_connections": 0},
        {"forwarded_allow_ips": ("nginx",)},
        {"forwarded_allow_ips": ("10.0.0.1", "10.0.0.0/33")},
    ],
)
def test_settings_refuse_what_cannot_work(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        replace(SiteSettings(), **changes)


def test_settings_name_trusted_proxies_by_address_or_network() -> None:
    proxies = ("10.0.0.1", "172.30.0.0/24", "::1", "*")
    assert replace(SiteSettings(), forwarded_allow_ips=proxies).forwarded_allow_ips == proxies
    assert settings_from_json(settings_to_json(SiteSettings())) == SiteSettings()


def test_lru_keeps_the_recently_used_within_its_weight() -> None:
    cache: LRU[str, bytes] = LRU(10, len)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now the most recent
    cache.put("c", b"1234")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1234", None, b"1234")
    cache.put("c", b"12")
    assert (cache.weight, len(cache)) == (6, 2)
    cache.put("huge", b"x" * 50)  # larger than the whole cache: kept alone
    assert cache.get("huge") is not None
    assert cache.get("a") is None
    cache.clear()
    assert cache.weight == 0
