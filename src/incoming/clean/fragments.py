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
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
    | {"param", "source", "track"}
)
# Never left out, however deep: without its tags, a script's or a style sheet's content (or that
# of anything else the sanitizer drops whole) would become the article's text.
_ALWAYS_KEPT = _VOID | DROPPED_WITH_CONTENT | {"xmp", "plaintext"}
# HTML's optional end tags: the open elements a start tag closes when they are innermost.
_CELL_ENDS = frozenset({"td", "th"})
_SECTION_ENDS = _CELL_ENDS | {"tr", "thead", "tbody", "tfoot"}
_IMPLIED_ENDS: dict[str, frozenset[str]] = {
    "p": frozenset({"p"}),
    "li": frozenset({"li"}),
    **dict.fromkeys(("dt", "dd"), frozenset({"dt", "dd"})),
    **dict.fromkeys(("td", "th"), _CELL_ENDS),
    "tr": _CELL_ENDS | {"tr"},
    **dict.fromkeys(("thead", "tbody", "tfoot"), _SECTION_ENDS),
    "option": frozenset({"option"}),
    **dict.fromkeys(("rb", "rt", "rp"), frozenset({"rb", "rt", "rp"})),
}


class _NestingLimit:
    """Follows the open elements as a parser would, closely enough for a guard: a start tag
    closes what HTML lets it close, an end tag closes the innermost open element of its name
    and those within it, a stray end tag is left alone."""

    def __init__(self) -> None:
        self.open: list[tuple[str, bool]] = []  # (name, whether its tags are kept)
        self.open_count: dict[str, int] = {}
        self.kept_depth = 0

    def _pop(self) -> bool:
        name, kept = self.open.pop()
        self.open_count[name] -= 1
        self.kept_depth -= kept
        return kept

    def tag(self, tag: re.Match[str]) -> str:
        """The tag as it was, or nothing if it is one of an element nested too deep."""
        name = tag.group(2).lower()
        if name in _ALWAYS_KEPT:
            return tag.group(0)
        if tag.group(1):  # an end tag
            if not self.open_count.get(name):
                return tag.group(0)
            while self.open[-1][0] != name:
                self._pop()
            return tag.group(0) if self._pop() else ""
        implied = _IMPLIED_ENDS.get(name, ())
        while self.open and self.open[-1][0] in implied:
            self._pop()
        kept = self.kept_depth < MAX_DEPTH
        self.open.append((name, kept))
        self.open_count[name] = self.open_count.get(name, 0) + 1
        self.kept_depth += kept
        return tag.group(0) if kept else ""


def limit_nesting(html: str) -> str:
    """The HTML with the tags of elements nested past MAX_DEPTH left out (with their end tags)."""
    if html.count("<") <= MAX_DEPTH:  # too few tags to nest that deep
        return html
    return _TAG.sub(_NestingLimit().tag, html)


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
