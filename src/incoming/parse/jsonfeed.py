"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser 6 cannot read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from incoming.errors import ParseError
from incoming.models import ParsedEntry, ParsedFeed
from incoming.parse.content_format import ContentFormat, ReadContent, read_content
from incoming.parse.newest import keep_newest
from incoming.parse.text import (
    collapse_whitespace,
    optional_text,
    parse_iso_datetime,
    plain_title,
    sane_datetime,
    web_url,
)

_VERSION_PREFIX = "https://jsonfeed.org/version/"


def parse_json_feed(
    text: str,
    *,
    url: str,
    max_entries: int = 0,
    content_format: ContentFormat = ContentFormat.AUTO,
) -> ParsedFeed:
    """Read a JSON Feed; `url` is the feed's own address, the base of relative item URLs.

    With `max_entries`, only that many of the newest items become entries. Content is read
    as `content_format`, or as what it turns out to be (`decide_format`).
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"{url} is not valid JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise ParseError(f"{url} is JSON but not a JSON Feed (no 'items' list)")
    warnings: list[str] = []
    version = document.get("version")
    if not (isinstance(version, str) and version.startswith(_VERSION_PREFIX)):
        warnings.append(f"JSON Feed version missing or unknown: {version!r}")
    language = optional_text(document.get("language"))
    feed_author = _authors(document)
    items: list[dict[str, Any]] = []
    for position, item in enumerate(document["items"]):
        if isinstance(item, dict):
            items.append(item)
        else:
            warnings.append(f"item {position} is not an object; skipped")
    kept, dropped = keep_newest(items, max_entries, _item_date)
    entries = [_entry(item, url, feed_author, language, content_format) for item in kept]
    return ParsedFeed(
        title=plain_title(optional_text(document.get("title"))),
        entries=tuple(entries),
        site_url=web_url(url, document.get("home_page_url")),
        language=language,
        warnings=tuple(warnings),
        dropped_entries=dropped,
    )


def _entry(
    item: Mapping[str, Any],
    feed_url: str,
    feed_author: str | None,
    feed_language: str | None,
    content_format: ContentFormat,
) -> ParsedEntry:
    link = web_url(feed_url, item.get("url"))
    guid = item.get("id")
    content = _content(item, content_format)
    return ParsedEntry(
        guid=str(guid) if isinstance(guid, str | int | float) and str(guid) else None,
        url=link,
        title=plain_title(optional_text(item.get("title"))),
        content_html=content.html,
        base_url=link or feed_url,
        author=_authors(item) or feed_author,
        language=optional_text(item.get("language")) or feed_language,
        published=_date(item.get("date_published")),
        updated=_date(item.get("date_modified")),
        categories=tuple(
            dict.fromkeys(tag.strip() for tag in _list(item.get("tags")) if isinstance(tag, str))
        ),
        content_format=content.decision.format.value,
        format_reason=content.decision.reason,
    )


def _content(item: Mapping[str, Any], content_format: ContentFormat) -> ReadContent:
    """`content_html`, else `content_text` or `summary`, each read as what it really is
    (`content_text` is often Markdown)."""
    content_html = optional_text(item.get("content_html"))
    if content_html:
        return read_content(content_html, declared_html=True, override=content_format)
    text = optional_text(item.get("content_text")) or optional_text(item.get("summary")) or ""
    return read_content(text, declared_html=False, override=content_format)


def _authors(holder: Mapping[str, Any]) -> str | None:
    """Names from 1.1 `authors`, else the 1.0 `author` object, joined with commas."""
    authors = _list(holder.get("authors")) or [holder.get("author")]
    names = [
        collapse_whitespace(name)
        for author in authors
        if isinstance(author, dict) and isinstance(name := author.get("name"), str) and name.strip()
    ]
    return ", ".join(name for name in names if name) or None


def _date(value: object) -> datetime | None:
    """RFC 3339 as the spec says, with RFC 822 accepted since real feeds use it too."""
    parsed = parse_iso_datetime(value)
    if parsed is None and isinstance(value, str):
        try:
            return sane_datetime(parsedate_to_datetime(value))
        except (TypeError, ValueError):
            return None
    return parsed


def _item_date(item: Mapping[str, Any]) -> datetime | None:
    return _date(item.get("date_modified")) or _date(item.get("date_published"))


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
