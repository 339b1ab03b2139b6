"""`parse_feed`: decode, sniff what the bytes really are, and hand them to the right reader."""

from __future__ import annotations

import dataclasses

from incoming.errors import NotAFeedError, ParseError
from incoming.models import ParsedFeed
from incoming.parse.content_format import ContentFormat
from incoming.parse.discovery import discover_feed_links
from incoming.parse.encoding import decode_with_report
from incoming.parse.jsonfeed import parse_json_feed
from incoming.parse.sniff import DocumentKind, sniff_kind
from incoming.parse.xmlfeed import parse_xml_feed


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    max_entries: int = 0,
    content_format: ContentFormat = ContentFormat.AUTO,
) -> ParsedFeed:
    """Parse RSS, Atom or JSON Feed bytes fetched from `url`; with `max_entries`, only that
    many of its newest entries (the others are counted in `dropped_entries`), their content
    read as `content_format` (by default, as what each entry's content turns out to be).

    Raises NotAFeedError (carrying the page's announced `feed_links`) for an HTML page,
    and ParseError for anything else that is not a feed.
    """
    decoded = decode_with_report(body, content_type)
    kind = sniff_kind(decoded.text)
    if kind is DocumentKind.HTML:
        links = discover_feed_links(decoded.text, url)
        found = f"it announces {len(links)} feed(s)" if links else "it announces no feed"
        raise NotAFeedError(f"{url} is an HTML page, not a feed; {found}", links)
    if kind is DocumentKind.JSON:
        feed = parse_json_feed(
            decoded.text, url=url, max_entries=max_entries, content_format=content_format
        )
    elif kind in (DocumentKind.FEED, DocumentKind.XML):
        feed = parse_xml_feed(
            decoded.text, url=url, max_entries=max_entries, content_format=content_format
        )
    else:
        raise ParseError(f"{url} is not a feed: it looks like an {kind.value}")
    if decoded.warning is None:
        return feed
    return dataclasses.replace(feed, warnings=(decoded.warning, *feed.warnings))
