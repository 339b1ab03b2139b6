"""Plain data passed between the stages: what a parser found, before cleaning and storing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ContentFormat(StrEnum):
    """How a source's entry content is read: guessed per entry, or fixed for the source.

    Here, not in parse/content_format.py: `incoming add --format` lists the choices without
    importing the parsers."""

    AUTO = "auto"
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"


CONTENT_FORMATS = tuple(member.value for member in ContentFormat)


def content_format(value: object) -> ContentFormat:
    """The format a user named; ValueError naming the choices for anything else."""
    if isinstance(value, str) and value.strip().lower() in CONTENT_FORMATS:
        return ContentFormat(value.strip().lower())
    raise ValueError(f"format must be one of {', '.join(CONTENT_FORMATS)}, not {value!r}")


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as a source gave it: HTML not yet sanitized, dates UTC-aware or None."""

    guid: str | None
    url: str | None
    title: str
    content_html: str
    base_url: str | None = None
    author: str | None = None
    language: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    categories: tuple[str, ...] = ()
    # How the content was read ("html", "markdown" or "text") and why: `incoming inspect`.
    content_format: str = "html"
    format_reason: str = ""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed (or notes folder) as parsed, with the hints it gives for scheduling."""

    title: str
    entries: tuple[ParsedEntry, ...]
    site_url: str | None = None
    language: str | None = None
    ttl_seconds: int | None = None
    warnings: tuple[str, ...] = field(default=())
    dropped_entries: int = 0  # the oldest entries beyond the per-fetch cap, left unparsed


@dataclass(frozen=True, slots=True)
class ArticleDraft:
    """An entry cleaned and derived, ready to store: what the store compares and saves."""

    identity: str  # "g:" guid, else "u:" canonical link, else "h:" content hash
    guid: str | None
    url: str | None
    title: str
    author: str | None
    language: str | None
    published: datetime | None
    updated: datetime | None
    content_html: str
    content_text: str
    excerpt_html: str
    content_hash: str  # of the entry as the source gave it: unchanged input is skipped early
    topics: tuple[tuple[str, str], ...] = ()  # (slug, display name)
    # Its search index token strings (incoming.index.documents.document_tokens), made with the
    # draft; None: the store makes them.
    search_tokens: Mapping[str, str] | None = field(default=None, compare=False, hash=False)
    # What readers see of it (incoming.derive.fingerprint), made with the draft; "": the store
    # makes it.
    fingerprint: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class SaveCounts:
    """What saving one source's entries did."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    dropped: int = 0  # entries beyond the per-fetch cap, not looked at
    pruned: int = 0  # old articles deleted by the per-source retention limit
