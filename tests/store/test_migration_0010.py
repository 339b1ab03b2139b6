"""Migration 0010 on a database made before it: every source reads its content as `auto`."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from incoming.store.engine import _alembic_config, migrate
from incoming.store.schema import sources
from tests.store.older import insert_old_article, store_at


def test_stored_sources_get_the_auto_format_and_lose_it_on_downgrade(db_url: str) -> None:
    with store_at(db_url, "0009") as store:
        with store.write() as connection:
            insert_old_article(connection)
        assert migrate(store) is not None
        with store.read() as connection:
            formats = connection.execute(text("SELECT content_format FROM sources")).scalars()
            assert list(formats) == ["auto"]
            found = {c["name"] for c in inspect(connection).get_columns("sources")}
            assert found == set(sources.c.keys())
        config = _alembic_config()
        with store.write() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        with store.read() as connection:
            found = {c["name"] for c in inspect(connection).get_columns("sources")}
            assert "content_format" not in found
            assert connection.execute(text("SELECT count(*) FROM articles")).scalar_one() == 1
