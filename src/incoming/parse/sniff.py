"""What a fetched document is, judged from its text: servers' Content-Type often lies."""

from __future__ import annotations

import enum
import re

_HEAD_CHARS = 8192
# Declarations, processing instructions, comments and doctypes before the first element.
_PROLOG = re.compile(r"(?:\s|<\?.*?\?>|<!--.*?-->|<!(?i:DOCTYPE)(?:[^<>\[]|\[.*?\])*>)*", re.DOTALL)
_ELEMENT_NAME = re.compile(r"<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_FEED_TAG = re.compile(r"<(?:\w+:)?(?:rss|feed|RDF)\b")
_HTML_TAG = re.compile(r"<(?:html|head|body)\b|<!doctype\s+html", re.IGNORECASE)


class DocumentKind(enum.Enum):
    JSON = "JSON"
    FEED = "feed"
    HTML = "HTML page"
    OPML = "OPML list"
    XML = "XML document"
    UNKNOWN = "unknown document"


def sniff_kind(text: str) -> DocumentKind:
    """Classify by the root element (or a leading `{`), falling back to telltale tags."""
    head = text[:_HEAD_CHARS]
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    if rest.startswith(("{", "[")):
        return DocumentKind.JSON
    root = _root_name(rest)
    if root in _FEED_ROOTS:
        return DocumentKind.FEED
    if root == "html":
        return DocumentKind.HTML
    if root == "opml":
        return DocumentKind.OPML
    if _FEED_TAG.search(head):
        return DocumentKind.FEED
    if _HTML_TAG.search(head):
        return DocumentKind.HTML
    return DocumentKind.XML if root else DocumentKind.UNKNOWN


def _root_name(text: str) -> str | None:
    match = _ELEMENT_NAME.match(text)
    if match is None:
        return None
    return match.group(1).rpartition(":")[2].lower()
