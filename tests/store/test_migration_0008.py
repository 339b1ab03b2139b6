"""Migration 0008 on PostgreSQL: the title's token strings stay in the row, out of TOAST."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, text

from incoming.index import search
from incoming.index.documents import document_tokens, index_articles, reindex
from incoming.index.schema import INLINE_COLUMNS
from incoming.store.engine import _alembic_config, migrate
from tests.store.older import insert_old_article, store_at
from tests.support.databases import postgres_schema_url

# Long enough that each of the title's token strings would go to TOAST with the text's.
TITLE = "变换器模型的注意力机制与训练方法总结 Transformer attention and training notes"
# Long enough that the row goes to TOAST at all (from 2 KB on).
TEXT = "正文 " * 400


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


def _toasted_values(connection: Connection) -> int:
    """How many values the search_documents table holds in TOAST."""
    toast = connection.execute(
        text(
            "SELECT reltoastrelid::regclass FROM pg_class WHERE oid = 'search_documents'::regclass"
        )
    ).scalar_one()
    return connection.execute(text(f"SELECT count(DISTINCT chunk_id) FROM {toast}")).scalar_one()


def _storage(connection: Connection) -> dict[str, str]:
    rows = connection.execute(
        text(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'search_documents'::regclass AND attnum > 0"
        )
    )
    return {name: storage for name, storage in rows}


def test_titles_leave_toast_when_reindexed(postgres_url: str) -> None:
    with store_at(postgres_url, "0007") as store:
        with store.write() as connection:
            insert_old_article(connection)
            connection.execute(
                text("UPDATE articles SET title = :title, content_text = :text"),
                {"title": TITLE, "text": TEXT},
            )
            index_articles(connection, {1: document_tokens(TITLE, TEXT)})
            before = _toasted_values(connection)
        assert migrate(store) is not None
        with store.read() as connection:
            storage = _storage(connection)
            assert {column: storage[column] for column in INLINE_COLUMNS} == dict.fromkeys(
                INLINE_COLUMNS, "m"
            )
            assert storage["body_words"] == "x"
        assert reindex(store) == 1
        with store.read() as connection:
            assert _toasted_values(connection) == before - len(INLINE_COLUMNS)
            for query in ("注意力机制", '"attention and training"', "正文"):
                assert [hit.article_id for hit in search(connection, query).hits] == [1]


def test_downgrade_moves_titles_back_to_toast_storage(postgres_url: str) -> None:
    with store_at(postgres_url, "0008") as store:
        config = _alembic_config()
        with store.write() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        with store.read() as connection:
            storage = _storage(connection)
        assert {column: storage[column] for column in INLINE_COLUMNS} == dict.fromkeys(
            INLINE_COLUMNS, "x"
        )
