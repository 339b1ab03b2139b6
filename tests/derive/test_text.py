"""derive_text's plain text: what search indexes."""

from __future__ import annotations

import pytest

from incoming.clean import clean_html
from incoming.derive import DerivedText, derive_text
from incoming.derive.segments import code_text

TEXTS = [
    ("headings flow into the text", "<h1>Title</h1><p>Body</p>", "Title Body"),
    ("blocks are separated", "<p>one</p><p>two</p><ul><li>a</li><li>b</li></ul>", "one two a b"),
    ("inline markup is not a boundary", "<p>gra<b>ph</b>ene</p>", "graphene"),
    ("line breaks separate", "<p>a<br>b</p>", "a b"),
    ("whitespace collapses", "<p>  a \n\t b  </p>", "a b"),
    ("code blocks are left out", "<p>x</p><pre><code>secret()</code></pre><p>y</p>", "x y"),
    ("inline code stays", "<p>call <code>f()</code> now</p>", "call f() now"),
    ("images are left out", '<p>a<img src="https://i.example/x.png" alt="alt text">b</p>', "ab"),
    ("tables flow", "<table><tr><td>1</td><td>2</td></tr></table>", "1 2"),
    ("CJK", "<h2>注意力</h2><p>机制。</p>", "注意力 机制。"),
    ("NFC", "<p>e\u0301</p>", "\u00e9"),
    ("control characters", "<p>a\x1bb\x85c\x9fd</p>", "abcd"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("name", "html", "text"), TEXTS, ids=[case[0] for case in TEXTS])
def test_plain_text(name, html, text):
    assert derive_text(html).text == text


def test_formulas_are_kept_as_their_tex():
    clean = clean_html(r"<p>Let \(x^2\) grow:</p><p>\[\sum_i a_i\]</p><p>done</p>")
    assert derive_text(clean).text == r"Let x^2 grow: \sum_i a_i done"


def test_unconverted_formulas_are_kept_as_their_tex():
    clean = clean_html(r"<p>bad \(\frac{\) formula</p>")
    assert derive_text(clean).text == r"bad \frac{ formula"


def test_raw_mathml_without_annotation_gives_its_characters():
    assert derive_text("<p>if <math><mi>a</mi><mo>≠</mo><mn>0</mn></math></p>").text == "if a≠0"


def test_result_is_a_frozen_dataclass():
    derived = derive_text("<p>x</p>")
    assert derived == DerivedText(text="x", excerpt_html="x")
    with pytest.raises(AttributeError):
        derived.text = "y"  # type: ignore[misc]


def test_code_blocks_text_is_kept_for_search_alone() -> None:
    html = "<p>x</p><pre><code>a  =\n  secret()</code></pre><p>y</p><pre>梯度</pre>"
    assert code_text(html) == "a = secret() 梯度"
    assert code_text("<p>call <code>f()</code></p>") == ""  # inline code is in the text
