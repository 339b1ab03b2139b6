"""RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 through feedparser, mapped onto `ParsedFeed`."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from incoming.errors import ParseError
from incoming.models import ParsedEntry, ParsedFeed
from incoming.parse.content_format import (
    ContentFormat,
    FormatDecision,
    ReadContent,
    read_content,
)
from incoming.parse.encoding import as_utf8_xml
from incoming.parse.newest import keep_newest, trim_xml_entries
from incoming.parse.text import optional_text, plain_title, sane_datetime, web_url

# Already decoded and re-encoded: feedparser must neither guess nor re-decode.
_UTF8_XML_HEADERS = {"content-type": "application/xml; charset=utf-8"}
# feedparser drops entity declarations only where they start a line, so a DTD on one line
# reaches expat, which expands a billion laughs for seconds before its limit stops it.
_DOCTYPE_START = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.IGNORECASE | re.DOTALL)
_ELEMENT_START = re.compile(r"<[A-Za-z_]")
# `<!ENTITY nbsp "&#160;">`: one character each, no amplification; real feeds declare these.
_CHARACTER_ENTITY = re.compile(
    r"""<!ENTITY\s+[A-Za-z_][\w.-]*\s+(["'])&#(?:x[0-9A-Fa-f]{1,6}|[0-9]{1,7});\1\s*>"""
)
# A numeric reference to a surrogate or past U+10FFFF makes feedparser's forgiving parser raise.
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_SYNDICATION_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 7 * 86400,
    "monthly": 30 * 86400,
    "yearly": 365 * 86400,
}


def parse_xml_feed(
    text: str,
    *,
    url: str,
    max_entries: int = 0,
    content_format: ContentFormat = ContentFormat.AUTO,
) -> ParsedFeed:
    """Parse decoded feed text; relative links stay relative but every entry gets its base.

    feedparser neither sanitizes nor rewrites URLs here: the cleaning stage does both, so
    each entry's `base_url` is the content's xml:base, else the entry link, else `url`.
    With `max_entries`, only that many of the newest entries are parsed (see `newest`).
    Content is read as `content_format`, or as what it turns out to be (`decide_format`).
    """
    data = as_utf8_xml(without_bad_references(without_doctype(text)))
    data, trimmed = trim_xml_entries(data, max_entries)
    try:
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=_UTF8_XML_HEADERS,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser's own bug on input we did not foresee: a refusal
        raise ParseError(f"{url} is not a readable feed: {type(exc).__name__}: {exc}") from exc
    warnings: list[str] = []
    if result.bozo:
        problem = result.get("bozo_exception")
        if not result.entries:
            raise ParseError(f"{url} is not a readable feed: {problem}")
        warnings.append(f"feed is not well-formed, recovered what could be read: {problem}")
    elif not result.version and not result.entries:
        raise ParseError(f"{url} is XML but not an RSS or Atom feed")
    feed = result.feed
    feed_author = _author(feed)
    feed_language = optional_text(feed.get("language"))
    # A document expat could not read was not trimmed: its parsed entries are cut instead.
    kept, dropped = keep_newest(result.entries, max_entries, _entry_date)
    entries = tuple(
        _entry(entry, url, feed_author, feed_language, content_format) for entry in kept
    )
    return ParsedFeed(
        title=plain_title(feed.get("title")),
        entries=entries,
        site_url=web_url(url, feed.get("link")),
        language=feed_language,
        ttl_seconds=_ttl_seconds(feed),
        warnings=tuple(warnings),
        dropped_entries=trimmed + dropped,
    )


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    return sane_datetime(dict.get(entry, "updated_parsed")) or sane_datetime(
        dict.get(entry, "published_parsed")
    )


def _checked_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    digits = hexadecimal or decimal
    if len(digits) > 8:
        return "&#xFFFD;"
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    return "&#xFFFD;" if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF else match.group()


def without_bad_references(text: str) -> str:
    """Numeric character references to no character (surrogates, past U+10FFFF) as U+FFFD."""
    return _CHARACTER_REFERENCE.sub(_checked_reference, text) if "&#" in text else text


def without_doctype(text: str) -> str:
    """The document without its DOCTYPE: no external DTD, no entity to expand, except
    declarations of single characters. An unreadable DOCTYPE is cut open: the document then
    fails as XML and feedparser's forgiving parser, which expands no entity, reads it."""
    start = _DOCTYPE_START.search(text)
    if start is None or _ELEMENT_START.search(text, 0, start.start()):
        return text
    doctype = _DOCTYPE.match(text, start.start())
    if doctype is None:
        return text[: start.start()] + text[start.end() :]
    kept = "".join(match.group() for match in _CHARACTER_ENTITY.finditer(doctype.group()))
    replacement = f"<!DOCTYPE feed [{kept}]>" if kept else ""
    return text[: start.start()] + replacement + text[doctype.end() :]


def _entry(
    entry: Mapping[str, Any],
    feed_url: str,
    feed_author: str | None,
    feed_language: str | None,
    content_format: ContentFormat,
) -> ParsedEntry:
    link = web_url(feed_url, _alternate_link(entry))
    content, read = _richest_content(entry, content_format)
    content_base = content.get("base") if content else None
    title_detail = entry.get("title_detail") or {}
    # dict.get: FeedParserDict maps a missing `updated_parsed` to `published_parsed`, warning.
    return ParsedEntry(
        guid=optional_text(entry.get("id")),
        url=link,
        title=plain_title(entry.get("title")),
        content_html=read.html,
        base_url=urljoin(feed_url, content_base) if content_base else link or feed_url,
        author=_author(entry) or feed_author,
        language=optional_text((content or {}).get("language"))
        or optional_text(title_detail.get("language"))
        or feed_language,
        published=sane_datetime(dict.get(entry, "published_parsed")),
        updated=sane_datetime(dict.get(entry, "updated_parsed")),
        categories=_categories(entry),
        content_format=read.decision.format.value,
        format_reason=read.decision.reason,
    )


def _alternate_link(entry: Mapping[str, Any]) -> str | None:
    for link in entry.get("links") or ():
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return optional_text(entry.get("link"))


_NO_CONTENT = ReadContent("", FormatDecision(ContentFormat.HTML, "no content"))


def _richest_content(
    entry: Mapping[str, Any], content_format: ContentFormat
) -> tuple[Mapping[str, Any] | None, ReadContent]:
    """Of all `content` parts and the summary, each read as what it is (a Hexo `<content>`
    without a type holds HTML): rich content before plain text, then the longest."""
    candidates = [part for part in entry.get("content") or () if part.get("value")]
    summary = entry.get("summary_detail")
    if summary and summary.get("value"):
        candidates.append(summary)
    read = [
        (
            part,
            read_content(
                str(part["value"]),
                declared_html=part.get("type", "text/html") in _HTML_TYPES,
                override=content_format,
            ),
        )
        for part in candidates
    ]
    return max(
        read,
        key=lambda pair: (pair[1].decision.format is not ContentFormat.TEXT, len(pair[0]["value"])),
        default=(None, _NO_CONTENT),
    )


def _author(holder: Mapping[str, Any]) -> str | None:
    detail = holder.get("author_detail") or {}
    return optional_text(detail.get("name")) or optional_text(holder.get("author"))


def _categories(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names = (
        optional_text(tag.get("term")) or optional_text(tag.get("label"))
        for tag in entry.get("tags") or ()
    )
    return tuple(dict.fromkeys(name for name in names if name))


def _ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    """RSS `<ttl>` minutes, else the syndication module's period divided by its frequency."""
    ttl = _positive_int(feed.get("ttl"))
    if ttl is not None:
        return ttl * 60
    period = _SYNDICATION_PERIODS.get((optional_text(feed.get("sy_updateperiod")) or "").lower())
    if period is None:
        return None
    return period // (_positive_int(feed.get("sy_updatefrequency")) or 1)


def _positive_int(value: object) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None
