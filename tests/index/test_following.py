"""The index follows the store: what a write commits is searchable (or gone) at once, and
`reindex` rebuilds the same index."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, inspect, select, text

from incoming.index import reindex, search
from incoming.index.schema import FTS_COLUMNS, GIN_INDEXES, search_documents
from incoming.models import ArticleDraft
from incoming.store.articles import save_drafts
from incoming.store.engine import Store
from incoming.store.sources import remove_source
from tests.index.corpus import generated_texts
from tests.index.support import NOW, Text, add_feed, draft, save


def ids_for(store: Store, query: str) -> list[int]:
    with store.read() as connection:
        return [hit.article_id for hit in search(connection, query, limit=100).hits]


def resave(store: Store, source_id: int, changed: ArticleDraft) -> None:
    with store.write() as connection:
        save_drafts(connection, source_id, [changed], now=NOW)


def test_new_articles_are_found_as_soon_as_they_commit(store: Store) -> None:
    source_id = add_feed(store)
    assert ids_for(store, "量化") == []
    (new,) = save(store, source_id, [Text("向量量化 VQ-VAE", "码本与承诺损失")])
    assert ids_for(store, "量化") == ids_for(store, "vq vae") == ids_for(store, "承诺") == [new]


def test_changed_articles_are_found_by_their_new_text_only(store: Store) -> None:
    source_id = add_feed(store)
    original = draft("x", Text("RLHF", "奖励模型 PPO"))
    resave(store, source_id, original)
    (article_id,) = ids_for(store, "ppo")
    resave(
        store,
        source_id,
        replace(original, content_text="直接偏好优化 DPO", content_hash="changed"),
    )
    assert ids_for(store, "ppo") == []
    assert ids_for(store, "DPO") == ids_for(store, "偏好") == [article_id]


def test_removing_a_source_takes_its_articles_out_of_the_index(store: Store) -> None:
    kept_source, removed_source = add_feed(store, "https://a.example/f"), add_feed(store)
    (kept,) = save(store, kept_source, [Text("Kept", "扩散模型")], prefix="k")
    save(store, removed_source, [Text("Removed", "扩散模型")] * 3, prefix="r")
    with store.write() as connection:
        remove_source(connection, removed_source)
    assert ids_for(store, "扩散") == [kept]
    with store.read() as connection:
        assert connection.execute(select(func.count()).select_from(search_documents)).scalar() == 1
        if connection.dialect.name == "sqlite":
            for name in FTS_COLUMNS:
                connection.execute(text(f"INSERT INTO {name}({name}) VALUES ('integrity-check')"))


def test_reindex_rebuilds_the_same_index(store: Store) -> None:
    texts = generated_texts(40, seed=3)
    save(store, add_feed(store), texts)
    queries = ["模型", "熵", "attention", "注意力 cache", '"kv cache"', "ＮＬＰ -熵", "dpo OR ppo"]
    before = {query: ids_for(store, query) for query in queries}
    assert reindex(store) == len(texts)
    assert {query: ids_for(store, query) for query in queries} == before
    assert ids_for(store, "模型")


def test_the_index_objects_of_each_database_exist(store: Store) -> None:
    with store.read() as connection:
        inspector = inspect(connection)
        if connection.dialect.name == "sqlite":
            assert set(FTS_COLUMNS) <= set(inspector.get_table_names())
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {"search_documents_inserted", "search_documents_deleted"} <= set(triggers)
        else:
            indexes = {i["name"] for i in inspector.get_indexes("search_documents")}
            assert set(GIN_INDEXES) <= indexes
