"""From a parsed entry to a draft the store can save: identity, hash, clean HTML, text, topics."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from incoming.clean import clean_html
from incoming.derive import derive_text, guess_language, normalize_topic
from incoming.derive.fingerprint import fingerprint
from incoming.index.documents import document_tokens
from incoming.models import ArticleDraft, ParsedEntry, ParsedFeed
from incoming.parse import parse_feed
from incoming.parse.content_format import ContentFormat

# Bumped when cleaning or deriving changes, so stored articles are rebuilt on the next fetch.
# 2: formulas by math-core (rows, cells, spacing); 3: code blocks of Hexo, Chroma and
# highlight.js 9 shapes, content formats decided per entry
PREPARE_VERSION = "3"


def entry_hash(entry: ParsedEntry, source_topic: str | None) -> str:
    """A digest of everything the source said about the entry: equal means nothing to redo."""
    digest = hashlib.sha256(PREPARE_VERSION.encode())
    for part in (
        entry.title,
        entry.content_html,
        entry.url,
        entry.guid,
        entry.author,
        entry.language,
        entry.published.isoformat() if entry.published else None,
        entry.updated.isoformat() if entry.updated else None,
        entry.base_url,
        source_topic,
        *entry.categories,
    ):
        digest.update(b"\x00" if part is None else b"\x01" + part.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def entry_identity(entry: ParsedEntry) -> str:
    """The same article is the same guid, else the same canonical link, else the same content."""
    if entry.guid and entry.guid.strip():
        return "g:" + entry.guid.strip()
    if entry.url and entry.url.strip():
        return "u:" + entry.url.strip()
    content = f"{entry.title}\x00{entry.content_html}".encode("utf-8", "surrogatepass")
    return "h:" + hashlib.sha256(content).hexdigest()


def entry_topics(entry: ParsedEntry, source_topic: str | None) -> tuple[tuple[str, str], ...]:
    """The source's topic first, then the entry's categories, normalized and deduplicated."""
    found: dict[str, str] = {}
    for name in (source_topic, *entry.categories):
        topic = normalize_topic(name) if name else None
        if topic is not None:
            found.setdefault(*topic)
    return tuple(found.items())


def make_draft(entry: ParsedEntry, *, source_topic: str | None, content_hash: str) -> ArticleDraft:
    html = clean_html(entry.content_html, entry.base_url or entry.url)
    derived = derive_text(html)
    return ArticleDraft(
        identity=entry_identity(entry),
        guid=entry.guid,
        url=entry.url,
        title=entry.title,
        author=entry.author,
        language=entry.language or guess_language(f"{entry.title} {derived.text[:2000]}"),
        published=entry.published,
        updated=entry.updated,
        content_html=html,
        content_text=derived.text,
        excerpt_html=derived.excerpt_html,
        content_hash=content_hash,
        topics=entry_topics(entry, source_topic),
        search_tokens=document_tokens(entry.title, derived.text, html),
        fingerprint=fingerprint(entry.title, derived.text, html),
    )


def prepare_entries(
    entries: Iterable[ParsedEntry], *, source_topic: str | None, stored: Mapping[str, str]
) -> tuple[list[ArticleDraft], list[str]]:
    """Drafts for new or changed entries, and the identities of unchanged ones (not re-cleaned)."""
    drafts: list[ArticleDraft] = []
    unchanged: list[str] = []
    for entry in entries:
        content_hash = entry_hash(entry, source_topic)
        identity = entry_identity(entry)
        if stored.get(identity) == content_hash:
            unchanged.append(identity)
        else:
            drafts.append(make_draft(entry, source_topic=source_topic, content_hash=content_hash))
    return drafts, unchanged


@dataclass(frozen=True, slots=True)
class PreparedFeed:
    """A fetched feed parsed and prepared: what the writer needs, small enough to pass along."""

    feed: ParsedFeed  # with its entries dropped: they live on as drafts
    drafts: list[ArticleDraft]
    unchanged: list[str]


def parse_and_prepare(
    body: bytes,
    url: str,
    content_type: str | None,
    source_topic: str | None,
    stored: Mapping[str, str],
    max_entries: int = 0,
    content_format: str = ContentFormat.AUTO,
) -> PreparedFeed:
    """All the CPU work of one fetched feed, as one call a worker process can run; only the
    `max_entries` newest entries are parsed and prepared (0: all)."""
    feed = parse_feed(
        body,
        url=url,
        content_type=content_type,
        max_entries=max_entries,
        content_format=ContentFormat(content_format),
    )
    drafts, unchanged = prepare_entries(feed.entries, source_topic=source_topic, stored=stored)
    return PreparedFeed(replace(feed, entries=()), drafts, unchanged)
