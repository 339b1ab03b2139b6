"""Migration 0005 on a database made before it: the search index built anew, articles found."""

from __future__ import annotations

from sqlalchemy import text

from incoming.index import search
from incoming.store.engine import migrate
from tests.store.older import insert_old_article, store_at

# The FTS5 table that 0003 built before it was reduced to the bare table.
OLD_FTS = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_words, body_words, title_chars,"
    " body_chars, content='search_documents', content_rowid='article_id', tokenize='ascii')"
)


def test_an_older_database_gets_the_new_index(db_url: str) -> None:
    with store_at(db_url, "0004") as store:
        with store.write() as connection:
            if connection.dialect.name == "sqlite":
                connection.execute(text(OLD_FTS))
            insert_old_article(connection)
        assert migrate(store) is not None
        with store.read() as connection:
            for query in ('"the attention"', "注意力", '"attention 注意"'):
                assert [hit.title for hit in search(connection, query).hits] == ["Old notes"]
            assert search(connection, '"attention the"').hits == []
