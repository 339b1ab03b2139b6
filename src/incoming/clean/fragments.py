"""Parsing and writing HTML fragments with lxml, the same way for every stage."""

from __future__ import annotations

import re
from html import escape

import lxml.html

from incoming.clean.allowlist import DROPPED_WITH_CONTENT

# Document-level tags inside a fragment make libxml2 drop what follows them; the sanitizer
# removes them anyway, so they go before parsing.
_DOCUMENT_TAGS = re.compile(r"</?(?:html|body|!doctype)\b[^>]*>", re.IGNORECASE)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)

# Elements nested deeper than this lose their tags, never their text, before parsing: libxml2
# stops at a depth of 2,048 and drops everything below it (all the text of a fragment nested
# 5,000 deep), and no article nests past a few dozen.
MAX_DEPTH = 512
_TAG = re.compile(r"""<(/?)([a-zA-Z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
# Elements that never hold others, or that the next of their kind closes (<p>, <li>, <td>...):
# they do not make the tree deeper, however many there are.
_VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr")
_CLOSED_BY_NEXT = ("p", "li", "dt", "dd", "tr", "td", "th", "tbody", "option", "rb", "rt", "rp")
_NOT_DEEPENING = frozenset({*_VOID, "param", "source", "track", *_CLOSED_BY_NEXT})
# Never left out, however deep: without its tags, a script's or a style sheet's content (or that
# of anything else the sanitizer drops whole) would become the article's text.
_ALWAYS_KEPT = frozenset({*_NOT_DEEPENING, *DROPPED_WITH_CONTENT, "xmp", "plaintext"})


def limit_nesting(html: str) -> str:
    """The HTML with the tags of elements nested past MAX_DEPTH left out (with their end tags).

    Tags are counted as a parser would nest them, closely enough for a guard: an end tag closes
    the innermost open element of its name and those within it; a stray one is left alone.
    """
    if html.count("<") <= MAX_DEPTH:  # too few tags to nest that deep
        return html
    stack: list[tuple[str, bool]] = []  # (name, whether its tags are kept)
    open_count: dict[str, int] = {}
    kept_depth = 0

    def keep_or_drop(tag: re.Match[str]) -> str:
        nonlocal kept_depth
        name = tag.group(2).lower()
        if name in _ALWAYS_KEPT:
            return tag.group(0)
        if not tag.group(1):  # a start tag
            kept = kept_depth < MAX_DEPTH
            stack.append((name, kept))
            open_count[name] = open_count.get(name, 0) + 1
            kept_depth += kept
            return tag.group(0) if kept else ""
        if not open_count.get(name):
            return tag.group(0)
        while True:
            closed, kept = stack.pop()
            open_count[closed] -= 1
            kept_depth -= kept
            if closed == name:
                return tag.group(0) if kept else ""

    return _TAG.sub(keep_or_drop, html)


def parse_fragment(html: str) -> lxml.html.HtmlElement:
    """The fragment's nodes as the children of a `<body>` element."""
    document = lxml.html.document_fromstring(
        f"<html><body>{_DOCUMENT_TAGS.sub('', limit_nesting(html))}</body></html>", parser=_PARSER
    )
    return document.body


def classes(element: lxml.html.HtmlElement) -> set[str]:
    return set(element.get("class", "").split())


def serialize_children(parent: lxml.html.HtmlElement) -> str:
    """The HTML of parent's content, without parent's own tags."""
    head = escape(parent.text, quote=False) if parent.text else ""
    return head + "".join(
        lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in parent
    )
