"""Bytes to `ParsedFeed` / `ParsedEntry`: feeds (RSS, Atom, JSON Feed), Markdown notes, OPML.

HTML returned here is not sanitized yet: `incoming.clean` does that, and turns the
`\\(..\\)` / `\\[..\\]` math left in text into MathML.
"""

from __future__ import annotations

from incoming.parse.discovery import discover_feed_links
from incoming.parse.encoding import decode_document
from incoming.parse.feeds import parse_feed
from incoming.parse.markdown import render_markdown
from incoming.parse.notes import Note, read_note, read_notes
from incoming.parse.opml import OpmlOutline, parse_opml, render_opml

__all__ = [
    "Note",
    "OpmlOutline",
    "decode_document",
    "discover_feed_links",
    "parse_feed",
    "parse_opml",
    "read_note",
    "read_notes",
    "render_markdown",
    "render_opml",
]
