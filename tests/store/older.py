"""A store at an older revision, for migration tests: upgraded to it, rows written in plain SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy import Connection, text

from incoming.store.engine import Store, _alembic_config, migrating, open_store

OLD_TEXT = "the attention 注意力机制 of"


@contextmanager
def store_at(db_url: str, revision: str) -> Iterator[Store]:
    """The store, migrated up to `revision` only (closed after)."""
    store = open_store(db_url, apply_migrations=False)
    try:
        config = _alembic_config()
        with migrating(store) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        yield store
    finally:
        store.close()


def insert_old_article(connection: Connection) -> None:
    """One feed and its article 'Old notes', whose text is OLD_TEXT."""
    connection.execute(
        text(
            "INSERT INTO sources (kind, url, title, created_at) VALUES "
            "('feed', 'https://example.org/feed.xml', '', '2026-01-01 00:00:00')"
        )
    )
    connection.execute(
        text(
            "INSERT INTO articles (source_id, identity, title, updated, first_seen,"
            " content_html, content_text, excerpt_html, content_hash) VALUES"
            " (1, 'g:1', 'Old notes', '2026-01-01 00:00:00', '2026-01-01 00:00:00',"
            f" '', '{OLD_TEXT}', '', 'h')"
        )
    )
