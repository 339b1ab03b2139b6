"""Opening databases: URLs, migrations, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from incoming.errors import ConfigError, StoreUnavailableError
from incoming.store.engine import migrate, normalize_url, open_store


def test_migrations_create_the_schema_once(db_url: str) -> None:
    store = open_store(db_url)
    try:
        assert migrate(store) is None  # already at head
        with store.read() as connection:
            tables = set(inspect(connection).get_table_names())
        assert {"sources", "articles", "topics", "article_topics", "alembic_version"} <= tables
    finally:
        store.close()


def test_sqlite_is_tuned(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with store.read() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [("nonsense", "bad database URL"), ("mysql://x/y", "unsupported database")],
)
def test_bad_urls_are_named(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        normalize_url(url)


def test_postgres_urls_use_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="cannot open database"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")
    with pytest.raises(StoreUnavailableError, match="cannot open database"):
        open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
