"""Migration 0007 on a database indexed before it: the pairs stream rebuilt with CJK pairs."""

from __future__ import annotations

from sqlalchemy import select, update

from incoming.index import search
from incoming.index.documents import document_tokens, index_articles
from incoming.index.schema import search_documents
from incoming.index.tokens import JOINER
from incoming.store.engine import migrate
from tests.store.older import OLD_TEXT, insert_old_article, store_at


def test_an_index_without_cjk_pairs_is_rebuilt_with_them(db_url: str) -> None:
    with store_at(db_url, "0006") as store:
        with store.write() as connection:
            insert_old_article(connection)
            index_articles(connection, {1: document_tokens("Old notes", OLD_TEXT)})
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
