"""Importing a folder of Markdown notes: edits update, new files add, deleted ones are archived."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection

from incoming.fetch.schedule import next_check_after_success
from incoming.models import ArticleDraft, SaveCounts
from incoming.parse import read_notes
from incoming.sources.prepare import entry_identity, prepare_entries
from incoming.store.articles import mark_gone, save_drafts, stored_hashes
from incoming.store.engine import Store
from incoming.store.sources import Source, record_success


@dataclass(frozen=True, slots=True)
class NotesRead:
    """A folder read and prepared, before anything is written."""

    drafts: list[ArticleDraft]
    unchanged: list[str]
    present: list[str]  # identities of every note in the folder now


def read_notes_folder(
    folder: Path, *, topic: str | None, stored: dict[str, str] | None = None
) -> NotesRead:
    """Read and prepare the folder's notes; raises SourceError if it cannot be read."""
    entries = [note.entry for note in read_notes(folder)]
    drafts, unchanged = prepare_entries(entries, source_topic=topic, stored=stored or {})
    return NotesRead(drafts, unchanged, [entry_identity(entry) for entry in entries])


def save_notes(
    connection: Connection, source: Source, read: NotesRead, *, now: datetime
) -> SaveCounts:
    """Save a folder's notes; those no longer in the folder are kept, marked gone."""
    counts = save_drafts(connection, source.id, read.drafts, now=now, unchanged=read.unchanged)
    gone = mark_gone(connection, source.id, read.present)
    record_success(
        connection,
        source.id,
        now=now,
        # Spread like feeds: folders added together part ways.
        next_check_at=next_check_after_success(
            now, interval_seconds=source.interval_seconds, spread_key=str(source.id)
        ),
    )
    return replace(counts, gone=gone)


def reread_notes(store: Store, source: Source) -> NotesRead:
    """Read a stored notes source again: unchanged notes are not cleaned again."""
    with store.read() as connection:
        stored = stored_hashes(connection, source.id)
    return read_notes_folder(Path(source.url), topic=source.topic, stored=stored)
