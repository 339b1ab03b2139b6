"""INSERT ... ON CONFLICT, in the database's own dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table


def insert_on_conflict(connection: Connection, table: Table) -> Any:
    """PostgreSQL's or SQLite's INSERT (both offer `on_conflict_do_nothing`). Their dialect
    modules are imported here, on a write: PostgreSQL's takes longer to import than a read
    command takes to run."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)
