"""Migration 0004 on a database made before it: hosts filled in, the counter and tables there."""

from __future__ import annotations

from sqlalchemy import inspect, text

from incoming.store.engine import migrate
from incoming.store.queries import change_marker
from incoming.store.schema import changes, sources, workers
from tests.store.older import store_at


def test_an_older_database_is_brought_up_to_date(db_url: str) -> None:
    with store_at(db_url, "0003") as store:
        with store.write() as connection:
            connection.execute(
                text(
                    "INSERT INTO sources (kind, url, title, created_at) VALUES "
                    "('feed', 'https://Blog.Example.org:8443/feed.xml', '', '2026-01-01 00:00:00'),"
                    "('notes', '/home/me/notes', '', '2026-01-01 00:00:00')"
                )
            )
        assert migrate(store) is not None
        with store.read() as connection:
            hosts = connection.execute(text("SELECT host FROM sources ORDER BY id")).scalars()
            assert list(hosts) == ["blog.example.org", None]
            assert change_marker(connection).version == 1
            found = inspect(connection)
            for table in (sources, changes, workers):  # the migrations make what schema.py says
                assert {c["name"] for c in found.get_columns(table.name)} == set(table.c.keys())
