"""What users do with sources, the same from the command line, the API and the admin pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from incoming.demo import demo_notes_path
from incoming.errors import BadURLError, SourceError
from incoming.fetch import Fetcher, FetchSettings
from incoming.models import SaveCounts
from incoming.parse import OpmlOutline, parse_opml, render_opml
from incoming.parse.content_format import ContentFormat
from incoming.parse.text import web_url
from incoming.sources.feeds import read_feed
from incoming.sources.notes import read_notes_folder, save_notes
from incoming.sources.prepare import prepare_entries
from incoming.sources.refresh import Outcome, refresh_sources, save_feed_fetch, utcnow
from incoming.store import sources as stored_sources
from incoming.store.engine import Store
from incoming.store.sources import NewFeed, Source, find_source, list_sources


@dataclass(frozen=True, slots=True)
class Added:
    source: Source
    counts: SaveCounts


def is_web_url(target: str) -> bool:
    """Whether `target` names an http(s) URL; a malformed one is a SourceError naming it."""
    if not target.lower().startswith(("http://", "https://")):
        return False
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as exc:
        raise BadURLError(f"{target} is not a valid URL: {exc}") from exc
    if not parts.hostname:
        raise BadURLError(f"{target} is not a valid URL: it names no host")
    return True


async def add_source(
    store: Store,
    target: str,
    *,
    topic: str | None,
    fetch_settings: FetchSettings,
    content_format: ContentFormat = ContentFormat.AUTO,
) -> Added:
    """Add a feed URL (an HTML page leads to its feed) or a notes folder, and read it at once;
    a feed's entries are read as `content_format` (`auto`: as what each turns out to be).

    Everything is checked before anything is stored: a URL that is unreachable or not a feed,
    or a folder that cannot be read, raises and leaves the store as it was.
    """
    if is_web_url(target):
        return await _add_feed(
            store, target, topic=topic, fetch_settings=fetch_settings, content_format=content_format
        )
    folder = Path(target).expanduser()
    if folder.is_dir() and content_format is not ContentFormat.AUTO:
        raise SourceError(f"{target} is a notes folder: its notes are Markdown, give no format")
    if folder.is_dir():
        return _add_notes(store, folder.resolve(), topic=topic, title=folder.resolve().name)
    if folder.exists():
        raise SourceError(
            f"{target} is a file: add a folder of Markdown notes, "
            "or import an OPML list with `incoming import-opml`"
        )
    raise SourceError(f"{target} is neither an http(s) URL nor an existing folder")


async def _add_feed(
    store: Store,
    url: str,
    *,
    topic: str | None,
    fetch_settings: FetchSettings,
    content_format: ContentFormat,
) -> Added:
    async with Fetcher(fetch_settings) as fetcher:
        fetched = await read_feed(fetcher, url, discover=True, content_format=content_format)
    assert fetched.feed is not None  # an unconditional fetch never answers 304
    drafts, unchanged = prepare_entries(fetched.feed.entries, source_topic=topic, stored={})
    now = utcnow()
    with store.write() as connection:
        source = stored_sources.add_source(
            connection,
            kind="feed",
            url=fetched.feed_url,
            now=now,
            topic=topic,
            title=fetched.feed.title,
            site_url=fetched.feed.site_url,
            content_format=content_format.value,
        )
        counts = save_feed_fetch(connection, source, fetched, drafts, unchanged, now=now)
        source = find_source(connection, str(source.id))
    return Added(source, counts)


def _add_notes(store: Store, folder: Path, *, topic: str | None, title: str) -> Added:
    read = read_notes_folder(folder, topic=topic)
    now = utcnow()
    with store.write() as connection:
        source = stored_sources.add_source(
            connection, kind="notes", url=str(folder), now=now, topic=topic, title=title
        )
        counts = save_notes(connection, source, read, now=now)
        source = find_source(connection, str(source.id))
    return Added(source, counts)


def remove_source(store: Store, reference: str) -> tuple[Source, int]:
    """Delete a source and its articles; returns it and how many articles went with it."""
    with store.write() as connection:
        source = find_source(connection, reference)
        return source, stored_sources.remove_source(connection, source.id)


async def fetch_sources(
    store: Store,
    references: Sequence[str] | None,
    *,
    fetch_settings: FetchSettings,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Refresh the named sources (all when None); unknown names fail before anything is fetched."""
    with store.read() as connection:
        if references:
            chosen = list(
                {s.id: s for s in (find_source(connection, r) for r in references)}.values()
            )
        else:
            chosen = list_sources(connection)
    return await refresh_sources(store, chosen, settings=fetch_settings, on_outcome=on_outcome)


def ensure_demo_source(store: Store) -> Added | None:
    """Add the demo notes shipped in the package, once; None when they are there already."""
    folder = demo_notes_path().resolve()
    with store.read() as connection:
        if any(source.url == str(folder) for source in list_sources(connection)):
            return None
    return _add_notes(store, folder, topic=None, title="Incoming demo notes")


# Feeds an OPML import stores per transaction: a few tenths of a second of SQLite's write lock.
IMPORT_BATCH = 1_000
# The pause between two batches on SQLite: a writer waiting for the lock polls at most every
# 100 ms (SQLite's busy handler), so a shorter gap could let the import starve it.
WRITERS_GAP_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class OpmlImport:
    added: list[Source]
    skipped: list[str]  # URLs already stored
    refused: list[str] = field(default_factory=list)  # not http(s) URLs: never stored


def _fetchable(url: str) -> bool:
    try:
        return is_web_url(url)
    except BadURLError:
        return False


def import_opml(store: Store, data: bytes) -> OpmlImport:
    """Add every feed of an OPML list (nested outlines give topics); fetched on the next run.

    The feeds are stored IMPORT_BATCH to a transaction, so that a list of tens of thousands
    never holds SQLite's one write lock for long: logins, `incoming add` and the fetchers get
    in between batches. A URL another writer stores meanwhile counts as skipped.
    """
    outlines = parse_opml(data)
    with store.read() as connection:
        known = {source.url for source in list_sources(connection)}
    refused: list[str] = []
    skipped: list[str] = []
    wanted: list[OpmlOutline] = []
    for outline in outlines:
        if not _fetchable(outline.url):  # javascript:, file:, a broken URL...
            refused.append(outline.url)
        elif outline.url in known:
            skipped.append(outline.url)
        else:
            known.add(outline.url)
            wanted.append(outline)
    added: list[Source] = []
    for start in range(0, len(wanted), IMPORT_BATCH):
        if start and store.is_sqlite:
            time.sleep(WRITERS_GAP_SECONDS)
        batch = [
            NewFeed(
                url=outline.url,
                title=outline.title or "",
                site_url=web_url(outline.url, outline.site_url),
                topic=outline.topic,
            )
            for outline in wanted[start : start + IMPORT_BATCH]
        ]
        with store.write() as connection:
            stored = stored_sources.add_feeds(connection, batch, now=utcnow())
        added.extend(stored)
        if len(stored) < len(batch):  # another writer stored some of these meanwhile
            urls = {source.url for source in stored}
            skipped.extend(feed.url for feed in batch if feed.url not in urls)
    return OpmlImport(added, skipped, refused)


def export_opml(store: Store, *, title: str = "Incoming sources") -> bytes:
    with store.read() as connection:
        feeds = [s for s in list_sources(connection) if s.kind == "feed"]
    return render_opml(
        (
            OpmlOutline(url=s.url, title=s.title or None, site_url=s.site_url, topic=s.topic)
            for s in feeds
        ),
        title=title,
    )
