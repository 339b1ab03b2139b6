"""An article's outline: ids on its section headings and the table of contents they make.

The stored HTML is left as it is; this works on the copy a page shows. Headings are found
with the standard HTML tokenizer and only their start and end tags are rewritten in place, so
everything else (MathML included) reaches the page byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from incoming.publish.urls import slugify

_NEWLINE = re.compile("\n")
HEADINGS = {f"h{level}": level for level in range(1, 7)}
TOC_LEVELS = (2, 3)


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True)
class Outlined:
    html: str
    headings: tuple[Heading, ...]  # the h2 and h3 sections, in order, each with its anchor


@dataclass(slots=True)
class _Found:
    level: int
    attrs: list[tuple[str, str | None]]
    start: int  # offset of the start tag
    start_length: int
    text: list[str]
    end: int = -1  # offset of the end tag, -1 while open
    end_length: int = 0


class _HeadingScanner(HTMLParser):
    """Collects headings with the offsets of their tags, and every id already in use."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.line_starts = [0, *(match.end() for match in _NEWLINE.finditer(html))]
        self.headings: list[_Found] = []
        self.ids: set[str] = set()
        self.open: _Found | None = None
        self.skipping = 0  # inside <annotation>: TeX source, not heading text

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)
        if tag == "annotation":
            self.skipping += 1
        elif tag in HEADINGS and self.open is None:
            raw = self.get_starttag_text() or ""
            self.open = _Found(HEADINGS[tag], attrs, self._offset(), len(raw), [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "annotation" and self.skipping:
            self.skipping -= 1
        elif self.open is not None and HEADINGS.get(tag) == self.open.level:
            self.open.end = self._offset()
            self.open.end_length = self.html.index(">", self.open.end) + 1 - self.open.end
            self.headings.append(self.open)
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.open is not None and not self.skipping:
            self.open.text.append(data)


def _start_tag(level: int, attrs: list[tuple[str, str | None]]) -> str:
    written = "".join(
        f" {name}" if value is None else f' {name}="{escape(value, quote=True)}"'
        for name, value in attrs
    )
    return f"<h{level}{written}>"


def outline(html: str) -> Outlined:
    """Give the h2/h3 sections anchors; when the content uses h1, every heading goes one level
    down so that the page's own title stays the only h1."""
    scanner = _HeadingScanner(html)
    scanner.feed(html)
    scanner.close()
    shift = 1 if any(found.level == 1 for found in scanner.headings) else 0
    used = set(scanner.ids)
    edits: list[tuple[int, int, str]] = []
    headings: list[Heading] = []
    for found in scanner.headings:
        level = min(found.level + shift, 6)
        text = " ".join("".join(found.text).split())
        attrs = list(found.attrs)
        anchor = next((value for name, value in attrs if name == "id" and value), None)
        added = anchor is None and level in TOC_LEVELS and bool(text)
        if added:
            anchor = _unique(f"s-{slugify(text)}", used)
            attrs.append(("id", anchor))
        if anchor is not None and level in TOC_LEVELS and text:
            headings.append(Heading(level, anchor, text))
        if shift or added:
            edits.append((found.start, found.start_length, _start_tag(level, attrs)))
            edits.append((found.end, found.end_length, f"</h{level}>"))
    return Outlined(_apply(html, edits), tuple(headings))


def _unique(anchor: str, used: set[str]) -> str:
    candidate, number = anchor, 1
    while candidate in used:
        number += 1
        candidate = f"{anchor}-{number}"
    used.add(candidate)
    return candidate


def _apply(html: str, edits: list[tuple[int, int, str]]) -> str:
    parts: list[str] = []
    position = 0
    for start, length, replacement in sorted(edits):
        parts.append(html[position:start])
        parts.append(replacement)
        position = start + length
    parts.append(html[position:])
    return "".join(parts)
