"""Migration 0007 on a database indexed before it: the pairs stream rebuilt with CJK pairs."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text, update

from incoming.index import search
from incoming.index.documents import document_tokens, index_articles
from incoming.index.schema import search_documents
from incoming.index.tokens import JOINER
from incoming.store.engine import _alembic_config, migrate, open_store


def test_an_index_without_cjk_pairs_is_rebuilt_with_them(db_url: str) -> None:
    store = open_store(db_url, apply_migrations=False)
    try:
        config = _alembic_config()
        with store.write() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0006")
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
            index_articles(
                connection, {1: document_tokens("Old notes", "the attention 注意力机制 of")}
            )
            # As 0006 stored it: pairs of words only.
            connection.execute(
                update(search_documents).values(pairs=f"old{JOINER}notes the{JOINER}attention")
            )
        assert migrate(store) is not None
        with store.read() as connection:
            pairs = connection.execute(select(search_documents.c.pairs)).scalar_one()
            assert f"注意{JOINER}意力" in pairs.split()
            for query in ('"the attention"', "注意力", "意力机制", '"attention 注意"'):
                assert [hit.title for hit in search(connection, query).hits] == ["Old notes"]
            assert search(connection, "意力注意").hits == []
    finally:
        store.close()
