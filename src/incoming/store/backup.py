"""A consistent copy of a live SQLite database, through SQLite's online backup API.

The copy is one read transaction of the source: in WAL mode writers go on meanwhile and the
copy is the database as of its start. It is written beside the target and renamed into
place only once it is complete and checked, so a failed backup never leaves half a file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from incoming.errors import ConfigError
from incoming.store.engine import SQLITE_BUSY_TIMEOUT_MS, is_memory_sqlite, normalize_url


def sqlite_path(database_url: str) -> Path:
    """The file of a SQLite URL; a ConfigError for PostgreSQL or an in-memory database."""
    url = normalize_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise ConfigError(
            "incoming backup copies SQLite databases; for PostgreSQL use pg_dump "
            "(see docs/deploy.md)"
        )
    if is_memory_sqlite(url) or url.database is None:
        raise ConfigError("an in-memory SQLite database has no file to back up")
    path = Path(url.database)
    if not path.is_file():
        raise ConfigError(f"no SQLite database at {path}")
    return path


def _check_target(source: Path, target: Path, *, force: bool) -> None:
    if target.is_dir():
        raise ConfigError(f"{target} is a folder: name the backup file")
    if target.exists():
        if target.resolve() == source.resolve():
            raise ConfigError(f"{target} is the database itself")
        if not force:
            raise ConfigError(f"{target} exists: pass --force to overwrite it")
    folder = target.parent
    if not folder.is_dir():
        raise ConfigError(f"cannot write {target}: no folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"cannot write {target}: {folder} is not writable")


def backup_sqlite(database_url: str, target: Path, *, force: bool = False) -> int:
    """Copy the database to `target`; returns its size in bytes. ConfigError for bad input."""
    source = sqlite_path(database_url)
    _check_target(source, target, force=force)
    partial: str | None = None
    try:
        handle, partial = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        os.close(handle)
        _copy(source, Path(partial))
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        raise ConfigError(f"backup of {source} to {target} failed: {exc}") from exc
    finally:
        if partial is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
    return target.stat().st_size


def _copy(source: Path, target: Path) -> None:
    reader = sqlite3.connect(source, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # every page in one step: one consistent snapshot
            writer.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            verdict = writer.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"the copy fails its check: {verdict}")
        finally:
            writer.close()
    finally:
        reader.close()
