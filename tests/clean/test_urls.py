"""Relative URLs resolved against the entry's base; links and images get their attributes."""

from __future__ import annotations

import pytest

from incoming.clean import clean_html
from incoming.clean.urls import resolve_srcset, resolve_url

BASE = "https://blog.example/posts/2024/attention.html"

RESOLVED = [
    (
        "relative path",
        '<a href="figures/a.html">x</a>',
        "https://blog.example/posts/2024/figures/a.html",
    ),
    ("parent path", '<a href="../index.html">x</a>', "https://blog.example/posts/index.html"),
    ("root path", '<a href="/about">x</a>', "https://blog.example/about"),
    ("protocol-relative", '<a href="//cdn.example/x">x</a>', "https://cdn.example/x"),
    (
        "query only",
        '<a href="?page=2">x</a>',
        "https://blog.example/posts/2024/attention.html?page=2",
    ),
    ("absolute stays", '<a href="http://other.example/y">x</a>', "http://other.example/y"),
    ("mailto stays", '<a href="mailto:me@blog.example">x</a>', "mailto:me@blog.example"),
]


@pytest.mark.parametrize(("name", "raw", "href"), RESOLVED, ids=[case[0] for case in RESOLVED])
def test_link_urls_are_resolved_against_the_base(name, raw, href):
    assert clean_html(raw, BASE) == f'<a href="{href}" rel="noopener noreferrer">x</a>'


def test_image_source_and_srcset_are_resolved():
    raw = '<img src="img/a.png" srcset="img/a.png 1x, img/a@2x.png 2x" alt="a">'
    assert clean_html(raw, BASE) == (
        '<img src="https://blog.example/posts/2024/img/a.png" '
        'srcset="https://blog.example/posts/2024/img/a.png 1x, '
        'https://blog.example/posts/2024/img/a@2x.png 2x" alt="a" loading="lazy" decoding="async">'
    )


def test_http_images_are_asked_for_over_https():
    """The site's CSP loads images over https only: an http image would be a CSP violation."""
    raw = '<img src="http://a.example/x.png" srcset="http://a.example/y.png 2x">'
    assert clean_html(raw) == (
        '<img src="https://a.example/x.png" srcset="https://a.example/y.png 2x" '
        'loading="lazy" decoding="async">'
    )
    assert 'src="https://old.example/img/a.png"' in clean_html(
        '<img src="img/a.png">', "http://old.example/post"
    )
    assert 'href="http://old.example/img/a.png"' in clean_html(
        '<a href="img/a.png">x</a>', "http://old.example/post"
    )  # links may stay http: following one is the reader's choice


@pytest.mark.parametrize("tag", ["blockquote", "q", "del", "ins"])
def test_cite_urls_follow_the_link_policy(tag):
    assert "javascript" not in clean_html(f'<{tag} cite="javascript:alert(1)">x</{tag}>')
    assert f'<{tag} cite="https://blog.example/src">' in clean_html(
        f'<{tag} cite="/src">x</{tag}>', BASE
    )


def test_srcset_candidates_with_refused_schemes_are_left_out():
    raw = '<img srcset="javascript:alert(1) 1x, data:image/png;base64,AA 2x, /ok.png 3x">'
    assert 'srcset="https://blog.example/ok.png 3x"' in clean_html(raw, BASE)


@pytest.mark.parametrize(
    ("srcset", "expected"),
    [
        ("a.png", "https://b.example/a.png"),
        ("a.png 100w,b.png 200w", "https://b.example/a.png 100w, https://b.example/b.png 200w"),
        ("a.png?w=1,2 1x", "https://b.example/a.png?w=1,2 1x"),
        ("a.png, b.png 2x", "https://b.example/a.png, https://b.example/b.png 2x"),
        ("a.png 1x <script>", None),
        ("  ,  ", None),
    ],
)
def test_srcset_parsing(srcset, expected):
    assert resolve_srcset(srcset, "https://b.example/") == expected


@pytest.mark.parametrize("href", ["x/y", "./this:that", "a%20b.html", "../up"])
def test_without_a_base_relative_urls_stay_relative(href):
    assert (
        clean_html(f'<a href="{href}">x</a>') == f'<a href="{href}" rel="noopener noreferrer">x</a>'
    )


@pytest.mark.parametrize("base", ["javascript:alert(1)//", "data:text/html,x", "not a url", ""])
def test_an_unusable_base_is_ignored(base):
    assert clean_html('<a href="x">x</a>', base) == '<a href="x" rel="noopener noreferrer">x</a>'


def test_fragment_links_stay_in_the_page():
    assert resolve_url("#sec-2", BASE) == "#user-content-sec-2"
    assert resolve_url("#user-content-sec-2", BASE) == "#user-content-sec-2"


@pytest.mark.parametrize(
    "url",
    [
        "https://[::1",
        "jav%09ascript:alert(1)",
        "%20javascript:x",
        "%C2%A0javascript:alert(1)",
        "`javascript:alert(1)`",
        "%E2%80%A8data:text/html,x",
    ],
)
def test_broken_or_disguised_urls_are_refused(url):
    assert resolve_url(url, BASE) is None


def test_picture_sources_are_resolved():
    raw = '<picture><source srcset="a.webp 1x" type="image/webp"><img src="a.png"></picture>'
    assert clean_html(raw, BASE) == (
        '<picture><source srcset="https://blog.example/posts/2024/a.webp 1x" type="image/webp">'
        '<img src="https://blog.example/posts/2024/a.png" loading="lazy" decoding="async">'
        "</picture>"
    )


def test_links_get_rel_and_images_lazy_loading():
    cleaned = clean_html('<a href="/x" rel="opener" target="_blank">a</a><img src="/i.png">', BASE)
    assert cleaned == (
        '<a href="https://blog.example/x" rel="noopener noreferrer">a</a>'
        '<img src="https://blog.example/i.png" loading="lazy" decoding="async">'
    )


def test_lazy_image_sources_are_promoted():
    raw = '<img src="data:image/gif;base64,R0lG" data-src="/real.png" data-srcset="/r2.png 2x">'
    assert clean_html(raw, BASE) == (
        '<img src="https://blog.example/real.png" srcset="https://blog.example/r2.png 2x" '
        'loading="lazy" decoding="async">'
    )


def test_images_inside_math_are_treated_like_any_image():
    # libxml2 keeps the <img> inside <math>, nh3's HTML5 parser moves it out: either way it is
    # an ordinary image in the output.
    assert clean_html('<math><img src="/i.png"></math>', BASE) == (
        '<math></math><img src="https://blog.example/i.png" loading="lazy" decoding="async">'
    )
