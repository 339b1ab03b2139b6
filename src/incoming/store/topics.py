"""Topics in the store: normalized names shared by articles and sources."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from incoming.store.changes import note_change
from incoming.store.conflicts import insert_on_conflict
from incoming.store.schema import topics


def ensure_topics(connection: Connection, pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Topic id by slug, creating the missing ones (the first display name seen wins).

    Concurrent writers may create the same topic: the insert ignores conflicts and re-reads.
    """
    wanted = dict(pairs)
    if not wanted:
        return {}
    query = select(topics.c.slug, topics.c.id).where(topics.c.slug.in_(list(wanted)))
    found = dict(connection.execute(query).all())
    missing = [{"slug": slug, "name": name} for slug, name in wanted.items() if slug not in found]
    if missing:
        statement = insert_on_conflict(connection, topics).on_conflict_do_nothing()
        connection.execute(statement, missing)
        note_change(connection)
        found = dict(connection.execute(query).all())
    return found
