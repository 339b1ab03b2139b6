"""Migration 0005 on a database made before it: the search index built anew, articles found."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from incoming.index import search
from incoming.store.engine import _alembic_config, migrate, open_store

# The FTS5 table that 0003 built before it was reduced to the bare table.
OLD_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_words, body_words, title_chars,"
    " body_chars, content='search_documents', content_rowid='article_id', tokenize='ascii')"
)


def test_an_older_database_gets_the_new_index(db_url: str) -> None:
    store = open_store(db_url, apply_migrations=False)
    try:
        config = _alembic_config()
        with store.write() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
            if connection.dialect.name == "sqlite":
                connection.execute(text(OLD_FTS))
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
                    " '', 'the attention 注意力机制 of', '', 'h')"
                )
            )
        assert migrate(store) is not None
        with store.read() as connection:
            for query in ('"the attention"', "注意力", '"attention 注意"'):
                assert [hit.title for hit in search(connection, query).hits] == ["Old notes"]
            assert search(connection, '"attention the"').hits == []
    finally:
        store.close()
