"""Small conversions shared by the feed and notes parsers: titles, plain text, dates."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, date, datetime
from urllib.parse import urljoin, urlsplit

from incoming.clean.urls import disguises_scheme

# Only things shaped like tags or comments: "a < b" and "x<y" in a title must survive.
_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_WHITESPACE = re.compile(r"\s+")
# C0 and C1 controls other than whitespace: JSON and YAML can carry ESC and BEL, which would
# drive a terminal showing the text (`incoming articles`).
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
_BLANK_LINES = re.compile(r"\n\s*\n")
_EARLIEST_YEAR = 1970
_LATEST_YEAR = 2200


def plain_title(value: str | None) -> str:
    """A title as one line of plain text: tags stripped, entities decoded, spaces collapsed."""
    if not value:
        return ""
    return collapse_whitespace(html.unescape(_TAG.sub(" ", value)))


def collapse_whitespace(value: str) -> str:
    """One line: control characters dropped, runs of whitespace made one space."""
    return _WHITESPACE.sub(" ", _CONTROLS.sub("", value)).strip()


def text_to_html(text: str) -> str:
    """Plain text as escaped `<p>` paragraphs (blank lines separate them)."""
    paragraphs = (part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n")))
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs if part
    )


def sane_datetime(value: datetime | date | time.struct_time | None) -> datetime | None:
    """A UTC-aware datetime, or None for a missing or absurd date (before 1970, after 2200).

    Naive values are taken as UTC; plain dates as midnight UTC.
    """
    if value is None:
        return None
    if isinstance(value, time.struct_time):
        try:
            value = datetime(*value[:6], tzinfo=UTC)
        except ValueError:
            return None
    elif not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    else:
        value = value.astimezone(UTC)
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        return None
    return value


def parse_iso_datetime(value: object) -> datetime | None:
    """An RFC 3339 / ISO 8601 timestamp as a sane UTC datetime, or None when unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return sane_datetime(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def optional_text(value: object) -> str | None:
    """A stripped string, or None for anything empty or not a string."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def web_url(base: str, value: object) -> str | None:
    """`value` resolved against `base` when that gives an http(s) URL, else None.

    Drops `urn:` ids that feedparser offers as links, and `javascript:` and the like, also
    disguised as a relative URL by invisible characters or percent-encoding.
    """
    text = optional_text(value)
    if not text:
        return None
    try:
        if disguises_scheme(text):
            return None
        url = urljoin(base, text)
        return url if urlsplit(url).scheme in ("http", "https") else None
    except ValueError:  # e.g. a broken IPv6 host
        return None
