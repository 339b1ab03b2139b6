"""Parsing and writing HTML fragments with lxml, the same way for every stage."""

from __future__ import annotations

import re
from html import escape

import lxml.html

# Document-level tags inside a fragment make libxml2 drop what follows them; the sanitizer
# removes them anyway, so they go before parsing.
_DOCUMENT_TAGS = re.compile(r"</?(?:html|body|!doctype)\b[^>]*>", re.IGNORECASE)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True)


def parse_fragment(html: str) -> lxml.html.HtmlElement:
    """The fragment's nodes as the children of a `<body>` element."""
    document = lxml.html.document_fromstring(
        f"<html><body>{_DOCUMENT_TAGS.sub('', html)}</body></html>", parser=_PARSER
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
