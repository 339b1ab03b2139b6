"""Ids are never given again: a removed top id stays unused, on both databases, and migration
0009 gives stores made before it the same guarantee without losing a row or changing an id."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, delete, func, select, text

from incoming.index import search
from incoming.store.accounts import create_token, revoke_token
from incoming.store.articles import save_drafts
from incoming.store.engine import Store, _alembic_config, migrate, migrating
from incoming.store.schema import article_topics, articles, sources, topics
from incoming.store.sources import add_source, remove_source
from tests.store.older import store_at
from tests.store.test_articles import draft

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
# Every table 0009 rebuilds on SQLite, with the columns that identify its rows.
KEPT = {
    "sources": "id, url, title, created_at, host",
    "articles": "id, source_id, identity, title, content_text",
    "topics": "id, slug",
    "article_topics": "article_id, topic_id",
    "api_tokens": "id, name, token_hash",
    "search_documents": "article_id, title_words",
}


def _feed(connection: Connection, n: int) -> int:
    return add_source(connection, kind="feed", url=f"https://example.org/{n}.xml", now=NOW).id


def _top_article(connection: Connection) -> int:
    return connection.execute(select(func.max(articles.c.id))).scalar_one()


def test_removed_top_ids_are_never_given_again(store: Store) -> None:
    with store.write() as connection:
        first, top = _feed(connection, 1), _feed(connection, 2)
        save_drafts(connection, top, [draft(1), draft(2)], now=NOW)
        top_article = _top_article(connection)
        token, _ = create_token(connection, name="ci", now=NOW)
    with store.write() as connection:
        remove_source(connection, top)
        assert revoke_token(connection, token.id)
    with store.write() as connection:
        assert _feed(connection, 3) > top
        assert create_token(connection, name="ci", now=NOW)[0].id > token.id
        save_drafts(connection, first, [draft(3)], now=NOW)
        assert _top_article(connection) > top_article
    # An article removed on its own (not with its source), and a topic, behave the same.
    with store.write() as connection:
        top_article = _top_article(connection)
        top_topic = connection.execute(select(func.max(topics.c.id))).scalar_one()
        connection.execute(delete(articles).where(articles.c.id == top_article))
        connection.execute(delete(topics).where(topics.c.id == top_topic))
    with store.write() as connection:
        save_drafts(connection, first, [draft(4, topics=(("new", "New"),))], now=NOW)
        assert _top_article(connection) > top_article
        assert connection.execute(select(func.max(topics.c.id))).scalar_one() > top_topic


def _rows(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: [tuple(row) for row in connection.execute(text(f"SELECT {columns} FROM {table}"))]
        for table, columns in KEPT.items()
    }


def _table_sql(connection: Connection, table: str) -> str:
    return connection.execute(
        text("SELECT sql FROM sqlite_master WHERE name = :name"), {"name": table}
    ).scalar_one()


def _old_feed(connection: Connection, n: int) -> int:
    """A feed written as a store at 0008 holds it (live code writes columns added since)."""
    return connection.execute(
        text(
            "INSERT INTO sources (kind, url, title, created_at, host)"
            " VALUES ('feed', :url, '', :now, 'example.org') RETURNING id"
        ),
        {"url": f"https://example.org/{n}.xml", "now": NOW.replace(tzinfo=None)},
    ).scalar_one()


def _fill_old_store(store: Store) -> None:
    """Three feeds with articles, topics, search rows and a token; then the top feed removed,
    so the store's largest ids are below ids it has given before."""
    with store.write() as connection:
        feeds = [_old_feed(connection, n) for n in (1, 2, 3)]
        for n, feed in enumerate(feeds):
            save_drafts(connection, feed, [draft(2 * n), draft(2 * n + 1)], now=NOW)
        create_token(connection, name="ci", now=NOW)
        remove_source(connection, feeds[-1])


def test_migration_0009_keeps_every_row_and_id(db_url: str) -> None:
    with store_at(db_url, "0008") as store:
        _fill_old_store(store)
        with store.read() as connection:
            before = _rows(connection)
            indexes_before = _index_names(connection) if store.is_sqlite else set()
            third = connection.execute(select(articles.c.id).where(articles.c.guid == "3")).scalar()
        assert migrate(store) is not None
        with store.read() as connection:
            assert _rows(connection) == before
            assert [hit.article_id for hit in search(connection, "文章 3").hits] == [third]
            if store.is_sqlite:
                assert _index_names(connection) == indexes_before
                for table in ("sources", "articles", "topics", "api_tokens"):
                    assert "PRIMARY KEY (id AUTOINCREMENT)" in _table_sql(connection, table)
        # The foreign keys still hold after the rebuild: removing a feed takes its articles,
        # their topics and their search rows with it.
        with store.write() as connection:
            remove_source(connection, 2)
            assert connection.execute(select(func.count()).select_from(articles)).scalar() == 2
            assert {row.article_id for row in connection.execute(select(article_topics))} == set(
                connection.execute(select(articles.c.id)).scalars()
            )
            assert not search(connection, "文章 3").hits
            # SQLite goes on above every id the store still had (3 had gone before 0009 ran);
            # PostgreSQL's sequence remembers 3.
            added = _feed(connection, 4)
            assert added == (3 if store.is_sqlite else 4)
        with store.write() as connection:
            remove_source(connection, added)
        with store.write() as connection:
            assert _feed(connection, 5) == added + 1
            ids = connection.execute(select(sources.c.id).order_by(sources.c.id)).scalars()
            assert list(ids) == [1, added + 1]


def _index_names(connection: Connection) -> set[str]:
    rows = connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    return {f"{name}: {sql}" for name, sql in rows}


def test_migration_0009_downgrade_keeps_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/incoming.db"
    with store_at(url, "0009") as store:
        _fill_old_store(store)
        with store.read() as connection:
            before = _rows(connection)
        config = _alembic_config()
        with migrating(store) as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
        with store.read() as connection:
            assert _rows(connection) == before
            assert "AUTOINCREMENT" not in _table_sql(connection, "sources")
            assert "CONSTRAINT pk_sources PRIMARY KEY (id)" in _table_sql(connection, "sources")


def test_migration_0009_refuses_to_run_with_foreign_keys_on(tmp_path: Path) -> None:
    """Dropping a table with foreign keys on would delete the rows referring to it."""
    url = f"sqlite:///{tmp_path}/incoming.db"
    with store_at(url, "0008") as store:
        _fill_old_store(store)
        config = _alembic_config()
        with store.write() as connection:
            config.attributes["connection"] = connection
            with pytest.raises(RuntimeError, match="foreign keys off"):
                command.upgrade(config, "0009")
        with store.read() as connection:
            assert connection.execute(select(func.count()).select_from(articles)).scalar() == 4
