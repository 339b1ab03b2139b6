"""Clean HTML read as a flow of text and formulas, the material of search text and excerpts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

import lxml.html
from lxml import etree

from incoming.clean.allowlist import MATH_FALLBACK_CLASS
from incoming.clean.fragments import parse_fragment

_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div"),
        *("dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hgroup", "hr", "li", "ol", "p", "section", "summary", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "tr", "ul"),
    }
)
_LEFT_OUT = frozenset({"pre", "img", "picture", "source", "rp"})
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula kept whole: its TeX for text, its HTML for excerpts."""

    tex: str
    html: str
    display: bool


Segment = str | Formula


def normalized_text(text: str) -> str:
    """NFC text with control characters gone and whitespace collapsed to single spaces."""
    text = _CONTROLS.sub("", unicodedata.normalize("NFC", text))
    collapsed = " ".join(text.split())  # several times faster than a regular expression
    if not collapsed:
        return " " if text else ""
    return " " * text[0].isspace() + collapsed + " " * text[-1].isspace()


def _formula(element: lxml.html.HtmlElement) -> Formula:
    if element.tag == "code":  # a formula we could not convert: its TeX is its text
        tex = element.text_content()
        return Formula(normalized_text(tex).strip(), escape(tex, quote=False), display=False)
    annotations = [
        annotation.text_content()
        for annotation in element.iter("annotation")
        if annotation.get("encoding") == "application/x-tex"
    ]
    tex = annotations[0] if annotations else element.text_content()
    html = lxml.html.tostring(element, encoding="unicode", with_tail=False)
    return Formula(normalized_text(tex).strip(), html, element.get("display") == "block")


def _is_formula(element: lxml.html.HtmlElement) -> bool:
    return element.tag == "math" or (
        element.tag == "code" and MATH_FALLBACK_CLASS in element.get("class", "").split()
    )


def segments(clean_html: str) -> list[Segment]:
    """Text (normalized, blocks separated by a space) and formulas, in reading order."""
    pieces: list[Segment] = []
    text: list[str] = []

    def flush() -> None:
        if joined := normalized_text("".join(text)):
            pieces.append(joined)
        text.clear()

    walker = etree.iterwalk(parse_fragment(clean_html), events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if element.tag in _BLOCKS:
                text.append(" ")
            if _is_formula(element):
                flush()
                pieces.append(_formula(element))
                walker.skip_subtree()
            elif element.tag in _LEFT_OUT:
                walker.skip_subtree()
            elif element.text:
                text.append(element.text)
        else:
            if element.tag in _BLOCKS:
                text.append(" ")
            if element.tail:
                text.append(element.tail)
    flush()
    return pieces


def code_text(clean_html: str) -> str:
    """The text of the code blocks, which `segments` leaves out (excerpts and snippets would
    be unreadable with it), for search: readers look for `scaled_dot_product_attention` too."""
    if "<pre" not in clean_html:
        return ""
    blocks = parse_fragment(clean_html).iter("pre")
    return " ".join(normalized_text("".join(block.itertext())) for block in blocks)
