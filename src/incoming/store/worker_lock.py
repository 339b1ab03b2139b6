"""One worker per SQLite database: an exclusive lock on a file beside it.

SQLite serializes writers across processes by waiting on its file lock, which several busy
workers would spend their time doing; PostgreSQL needs no such rule. The operating system
releases the lock when the process ends, however it ends, so a killed worker blocks nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from incoming.errors import AlreadyRunningError
from incoming.store.engine import Store

try:
    import fcntl
except ImportError:  # Windows: no flock; one worker is then the user's own rule
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def single_worker(store: Store) -> Iterator[None]:
    """Hold the SQLite database's worker lock; AlreadyRunningError if another worker has it."""
    database = store.engine.url.database
    if not store.is_sqlite or not database or database == ":memory:" or fcntl is None:
        yield
        return
    path = Path(f"{database}.worker-lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunningError(
                f"another `incoming worker` is running on {database}: SQLite takes one worker "
                "(use PostgreSQL for several)"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
