"""HTML nested far too deep keeps its text and loses only the excess nesting: libxml2 stops
building the tree at a depth of 2,048, which lost every word of a fragment nested 5,000 deep."""

from __future__ import annotations

from pathlib import Path

import pytest

from incoming.clean.cleaner import clean_html
from incoming.clean.fragments import MAX_DEPTH, limit_nesting, parse_fragment, serialize_children
from incoming.derive.text import derive_text

DEPTH = 5_000
PAGES = "html/llm-webkit-mirror"


def nested(inner: str, depth: int = DEPTH) -> str:
    return "<div><blockquote>" * (depth // 2) + inner + "</blockquote></div>" * (depth // 2)


def words(html: str) -> list[str]:
    return derive_text(clean_html(html)).text.split()


def test_text_nested_5000_deep_is_kept() -> None:
    cleaned = clean_html(nested("<p>深层的文字 deep text</p>") + "<p>之后 after</p>")
    assert "深层的文字 deep text" in cleaned
    assert cleaned.endswith("<p>之后 after</p>")
    assert cleaned.count("<div>") + cleaned.count("<blockquote>") == MAX_DEPTH


def test_text_at_every_level_is_kept_in_order() -> None:
    html = "".join(f"<span>{n} " for n in range(DEPTH)) + "</span>" * DEPTH
    assert words(html) == [str(n) for n in range(DEPTH)]


def test_only_the_excess_tags_go() -> None:
    html = "<b>" * (MAX_DEPTH + 2) + "x" + "</b>" * (MAX_DEPTH + 2) + "</i><br><p>y"
    assert limit_nesting(html) == ("<b>" * MAX_DEPTH + "x" + "</b>" * MAX_DEPTH + "</i><br><p>y")


@pytest.mark.parametrize(
    "html",
    [
        "<p><b>粗</b> <i>斜</i><br></p>" * 2_000,
        # End tags HTML lets authors leave out: the next start tag closes the element.
        "<p>段落" * 2_000,
        "<ul>" + "<li>项" * 2_000 + "</ul>",
        "<dl>" + "<dt>词<dd>义" * 1_000 + "</dl>",
        "<table><thead><tr><th>a<th>b<tbody>" + "<tr><td>1<td>2" * 1_000 + "</table>",
    ],
)
def test_many_shallow_tags_are_left_as_they_are(html: str) -> None:
    assert limit_nesting(html) == html


@pytest.mark.corpus
def test_real_pages_are_unchanged_and_keep_their_words_nested_5000_deep(corpus: Path) -> None:
    pages = sorted((corpus / PAGES).glob("*.html"))
    assert pages
    for page in pages:
        raw = page.read_text(encoding="utf-8", errors="replace")
        assert limit_nesting(raw) == raw, page.name
    article = (corpus / PAGES / "math_csdn_none_formula.html").read_text(encoding="utf-8")
    body = serialize_children(parse_fragment(article))  # the article, without its <head>
    expected = words(nested(body, 100))  # as deep as real pages go, and the same wrapping
    assert len(expected) > 500
    # Past the limit the page's own elements lose their tags (its code blocks read as text, its
    # headings run into the paragraphs), but no word is lost.
    deep = "".join(words(nested(body)))
    assert [word for word in expected if word not in deep] == []
