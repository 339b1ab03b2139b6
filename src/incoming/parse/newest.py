"""Keeping only a feed's newest entries, before the expensive stages see the others.

A feed may list 100,000 entries; feedparser would build them all (about 3 KB each), then
cleaning, deriving and storing would run on each. `trim_xml_entries` cuts the document down
to its newest entries first, with one streaming pass of expat (no tree, no entry objects), so
that feedparser parses only those; a feed with fewer entry tags than the limit is not even
scanned. Newest means the entry's updated date, else its published date (the date that places
it on the site); undated entries rank after dated ones, and ties keep the feed's order. What
is kept stays in the feed's order.
"""

from __future__ import annotations

import xml.parsers.expat as expat
from collections.abc import Callable, Sequence
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from incoming.parse.text import parse_iso_datetime, sane_datetime

# Entries are `item` (RSS 0.9x/2.0 under channel, RSS 1.0 under rdf:RDF) or `entry` (Atom):
# no deeper than rss/channel/item.
_ENTRY_NAMES = frozenset({"item", "entry"})
_ENTRY_MAX_DEPTH = 3
_UPDATED_NAMES = frozenset({"updated", "modified"})
_PUBLISHED_NAMES = frozenset({"pubDate", "published", "issued", "created", "date"})
_DATE_NAMES = _UPDATED_NAMES | _PUBLISHED_NAMES
# `<item` and `<x:item` (and entry) are in every entry's start tag: fewer, and it has no more.
_ENTRY_MARKS = (b"<item", b":item", b"<entry", b":entry")
T = TypeVar("T")


def newest_positions(dates: Sequence[datetime | None], limit: int) -> list[int]:
    """Positions of the `limit` newest of `dates`, in their original order (all of them when
    `limit` is 0 or not exceeded)."""
    if limit <= 0 or len(dates) <= limit:
        return list(range(len(dates)))

    def rank(position: int) -> tuple[int, float, int]:
        found = dates[position]
        return (0, -found.timestamp(), position) if found else (1, 0.0, position)

    return sorted(sorted(range(len(dates)), key=rank)[:limit])


def keep_newest(
    items: Sequence[T], limit: int, date_of: Callable[[T], datetime | None]
) -> tuple[list[T], int]:
    """The `limit` newest `items` (by `date_of`) in their order, and how many were left out."""
    kept = [
        items[position] for position in newest_positions([date_of(item) for item in items], limit)
    ]
    return kept, len(items) - len(kept)


def feed_date(text: str) -> datetime | None:
    """A date as feeds write it: RFC 822 (RSS) or RFC 3339 (Atom), else None."""
    text = text.strip()
    if not text:
        return None
    parsed = parse_iso_datetime(text)
    if parsed is not None:
        return parsed
    try:
        return sane_datetime(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


class _EntryScan:
    """Byte spans and date texts of a document's entries, from expat's element events only
    (text is listened to inside date elements alone: a fifth of the time)."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.depth = 0
        self.entry_depth = 0  # 0: not inside an entry
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.dates: list[str] = []  # the updated date's text, else the published date's
        self.ending = False  # an entry just ended: where the next element event is, it ends
        self.date_field = ""
        self.date_text: list[str] = []
        self.updated = self.published = ""

    def start(self, name: str, _attributes: object) -> None:
        if self.ending:
            self.ends.append(self.parser.CurrentByteIndex)
            self.ending = False
        self.depth += 1
        local = name.rpartition(":")[2]
        if not self.entry_depth:
            if local in _ENTRY_NAMES and self.depth <= _ENTRY_MAX_DEPTH:
                self.entry_depth = self.depth
                self.starts.append(self.parser.CurrentByteIndex)
                self.updated = self.published = ""
        elif self.depth == self.entry_depth + 1 and local in _DATE_NAMES:
            self.date_field, self.date_text = local, []
            self.parser.CharacterDataHandler = self.date_text.append

    def end(self, _name: str) -> None:
        if self.ending:
            self.ends.append(self.parser.CurrentByteIndex)
            self.ending = False
        if self.date_field and self.depth == self.entry_depth + 1:
            self.parser.CharacterDataHandler = None
            if self.date_field in _UPDATED_NAMES:
                self.updated = self.updated or "".join(self.date_text)
            else:
                self.published = self.published or "".join(self.date_text)
            self.date_field = ""
        elif self.entry_depth and self.depth == self.entry_depth:
            self.entry_depth = 0
            self.dates.append(self.updated.strip() or self.published)
            self.ending = True
        self.depth -= 1


def _scan(data: bytes) -> _EntryScan:
    parser = expat.ParserCreate()
    # Entities the document does not declare (`&nbsp;`, its DOCTYPE having been removed) are
    # skipped instead of failing: expat then assumes an external DTD, which is never read.
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_UNLESS_STANDALONE)
    parser.ExternalEntityRefHandler = lambda context, *_: _read_nothing(parser, context)
    parser.UseForeignDTD(True)
    scan = _EntryScan(parser)
    parser.buffer_text = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.Parse(data, True)
    return scan


def _read_nothing(parser: expat.XMLParserType, context: str | None) -> int:
    parser.ExternalEntityParserCreate(context).Parse(b"", True)
    return 1


def trim_xml_entries(data: bytes, limit: int) -> tuple[bytes, int]:
    """The UTF-8 XML document `data` with only its `limit` newest entries, and how many it
    lost. Unchanged (0 lost) when it has no more, or when expat cannot read it: a broken feed
    goes to feedparser's forgiving parser whole, and its entries are cut afterwards."""
    if limit <= 0 or sum(data.count(mark) for mark in _ENTRY_MARKS) <= limit:
        return data, 0
    try:
        scan = _scan(data)
    except expat.ExpatError:
        return data, 0
    if len(scan.starts) <= limit or len(scan.ends) != len(scan.starts):
        return data, 0
    kept = set(newest_positions([feed_date(text) for text in scan.dates], limit))
    pieces: list[bytes] = []
    position = 0
    for index, (start, end) in enumerate(zip(scan.starts, scan.ends, strict=True)):
        if index not in kept:
            pieces.append(data[position:start])
            position = end
    pieces.append(data[position:])
    return b"".join(pieces), len(scan.starts) - len(kept)
