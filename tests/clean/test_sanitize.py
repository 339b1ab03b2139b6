"""The sanitizer's allow-list, category by category: what goes, what stays."""

from __future__ import annotations

import pytest

from incoming.clean import clean_html
from tests.clean.inert import active_content

# (name, raw HTML, the cleaned HTML)
REMOVED = [
    ("script", "<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
    ("script with src", '<script src="https://evil.example/x.js"></script>ok', "ok"),
    ("event handler", '<img src="https://a.example/x.png" onerror="alert(1)">', None),
    ("event handler, odd case", '<p ONclick="alert(1)" onMouseOver=x>t</p>', "<p>t</p>"),
    (
        "javascript: link",
        '<a href="javascript:alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: upper case",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: entity-encoded",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: hex entities without semicolons",
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: split by tab",
        '<a href="jav\tascript:alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: split by newline",
        '<a href="jav&#x0A;ascript:alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    (
        "javascript: after control chars",
        '<a href=" &#14; javascript:alert(1)">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    ("vbscript:", "<a href=\"vbscript:msgbox('x')\">x</a>", '<a rel="noopener noreferrer">x</a>'),
    (
        "data: image",
        '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
        '<img loading="lazy" decoding="async">',
    ),
    (
        "data: link",
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        '<a rel="noopener noreferrer">x</a>',
    ),
    ("form and inputs", '<form action="/x"><input name="q"><button>Go</button>text</form>', "text"),
    ("select and textarea", "<select><option>o</option></select><textarea>t</textarea>ok", "ok"),
    ("iframe", '<iframe src="https://evil.example/"></iframe>ok', "ok"),
    ("object and embed", '<object data="x.swf"><embed src="x.swf"></object>ok', "ok"),
    ("base", '<base href="https://evil.example/">ok', "ok"),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok', "ok"),
    ("link", '<link rel="stylesheet" href="https://evil.example/x.css">ok', "ok"),
    ("style element", "<style>body{display:none}</style>ok", "ok"),
    ("style attribute", '<p style="position:fixed;top:0">t</p>', "<p>t</p>"),
    ("svg", '<svg onload="alert(1)"><title>icon</title></svg>ok', "ok"),
    ("template", "<template><p>hidden</p></template>ok", "ok"),
    ("comment", "<!-- secret -->ok", "ok"),
    ("name attribute", '<a name="cookie">x</a>', '<a rel="noopener noreferrer">x</a>'),
    ("unknown classes", '<p class="hidden overlay">t</p>', "<p>t</p>"),
    ("math href", '<math><mi href="javascript:alert(1)">x</mi></math>', "<math><mi>x</mi></math>"),
    (
        "math annotation-xml with HTML",
        '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)>'
        "</annotation-xml></math>",
        "<math></math>",
    ),
    (
        "math colours",
        '<math><mstyle mathcolor="white" mathbackground="white"><mi>x</mi></mstyle></math>',
        "<math><mstyle><mi>x</mi></mstyle></math>",
    ),
    (
        "math huge offset",
        '<math><mpadded voffset="-100em"><mi>x</mi></mpadded></math>',
        "<math><mpadded><mi>x</mi></mpadded></math>",
    ),
    (
        "math style and class",
        '<math class="x" style="position:fixed"><mi>x</mi></math>',
        "<math><mi>x</mi></math>",
    ),
]

KEPT = [
    ("headings", "<h1>A</h1><h2>B</h2><h6>C</h6>"),
    (
        "paragraph and inline",
        "<p><b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <sup>1</sup> <sub>2</sub></p>",
    ),
    ("lists", '<ul><li>a</li></ul><ol start="3"><li>b</li></ol><dl><dt>t</dt><dd>d</dd></dl>'),
    (
        "table",
        '<table><thead><tr><th scope="col">h</th></tr></thead>'
        '<tbody><tr><td colspan="2">c</td></tr></tbody></table>',
    ),
    ("blockquote", "<blockquote><p>q</p></blockquote>"),
    ("details", '<details open=""><summary>s</summary>d</details>'),
    (
        "figure",
        '<figure><img src="https://a.example/x.png" alt="x" title="t" width="10" height="20" '
        'loading="lazy" decoding="async"><figcaption>c</figcaption></figure>',
    ),
    (
        "code",
        '<pre><code class="language-python">x = 1</code></pre>'
        "<p><code>inline</code> <kbd>k</kbd></p>",
    ),
    ("link", '<a href="https://a.example/" rel="noopener noreferrer">a</a>'),
    ("math", '<math display="block"><mfrac><mi>a</mi><mn>2</mn></mfrac></math>'),
    ("prefixed id", '<h2 id="user-content-intro">Intro</h2>'),
]


@pytest.mark.parametrize(("name", "raw", "expected"), REMOVED, ids=[case[0] for case in REMOVED])
def test_active_or_hiding_content_is_removed(name, raw, expected):
    cleaned = clean_html(raw)
    assert active_content(cleaned) == []
    if expected is not None:
        assert cleaned == expected


@pytest.mark.parametrize(("name", "html"), KEPT, ids=[case[0] for case in KEPT])
def test_ordinary_article_markup_is_kept(name, html):
    assert clean_html(html) == html


def test_ids_are_prefixed_and_fragment_links_follow():
    cleaned = clean_html('<a href="#fn1">1</a><p id="fn1">note</p>')
    assert cleaned == (
        '<a href="#user-content-fn1" rel="noopener noreferrer">1</a>'
        '<p id="user-content-fn1">note</p>'
    )


def test_code_class_keeps_only_language_and_math_classes():
    cleaned = clean_html('<code class="language-rust hljs math-tex evil">x</code>')
    assert cleaned == '<code class="language-rust math-tex">x</code>'


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "<!-- only a comment -->", "<html></html>"])
def test_empty_input_gives_empty_output(raw):
    assert clean_html(raw) == ""


def test_control_characters_and_lone_surrogates_are_dropped():
    assert clean_html("<p>a\x00b\x07c\x9fd\ud800e</p>") == "<p>abcde</p>"


def test_document_wrappers_do_not_lose_content():
    raw = "<!DOCTYPE html><html><head><title>T</title></head><body><p>a</p></body></html><p>b</p>"
    assert clean_html(raw) == "<p>a</p><p>b</p>"
