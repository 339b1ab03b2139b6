"""The change counter: one row every process can read to know whether what the site shows moved.

Writers that change articles, sources or topics call `note_change` inside their transaction.
Within `Store.write()` the bump is deferred to the end of the transaction, so the counter's row
lock, which serializes such writers on PostgreSQL, is held only while they commit and is always
the last lock taken (no lock-order deadlocks). Because the bump commits with the change, a
reader that sees the new version also sees the change.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, update

from incoming.store.schema import changes

PENDING = "incoming_change_pending"
"""Key in `Connection.info` while a `Store.write()` transaction runs: whether it changed."""


def note_change(connection: Connection) -> None:
    """Record that this transaction changes what the site shows (bumped once, at its end)."""
    if PENDING in connection.info:
        connection.info[PENDING] = True
    else:
        bump(connection)


def bump(connection: Connection) -> None:
    connection.execute(
        update(changes)
        .where(changes.c.id == 1)
        .values(version=changes.c.version + 1, changed_at=datetime.now(UTC))
    )
