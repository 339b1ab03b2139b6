"""The change counter: bumped with every write the site shows, and only with those."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incoming.models import ParsedEntry
from incoming.sources.prepare import make_draft
from incoming.store.articles import mark_gone, save_drafts
from incoming.store.engine import Store
from incoming.store.queries import change_marker
from incoming.store.sources import add_source, record_failure, record_success, remove_source

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def version(store: Store) -> int:
    with store.read() as connection:
        return change_marker(connection).version


def draft(n: int, text: str = "body"):
    entry = ParsedEntry(guid=f"g{n}", url=None, title=f"Entry {n}", content_html=f"<p>{text}</p>")
    return make_draft(entry, source_topic=None, content_hash=f"{n}-{text}")


def test_each_visible_write_bumps_once_and_invisible_ones_do_not(store: Store) -> None:
    start = version(store)
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://a.example/feed", now=NOW)
        save_drafts(connection, source.id, [draft(1), draft(2)], now=NOW)
    assert version(store) == start + 1  # one transaction, one bump however many changes

    with store.write() as connection:  # the same entries again: nothing shown changes
        save_drafts(connection, source.id, [draft(1), draft(2)], now=NOW)
        record_success(connection, source.id, now=NOW, next_check_at=NOW + timedelta(hours=1))
        record_failure(connection, source.id, now=NOW, next_check_at=NOW, error="HTTP 500")
    assert version(store) == start + 1

    steps = [
        lambda c: save_drafts(c, source.id, [draft(1, "edited")], now=NOW),
        lambda c: mark_gone(c, source.id, ["g1"]),
        lambda c: record_success(c, source.id, now=NOW, next_check_at=NOW, title="Renamed"),
        lambda c: remove_source(c, source.id),
    ]
    for number, step in enumerate(steps, start=2):
        with store.write() as connection:
            step(connection)
        assert version(store) == start + number


def test_a_rolled_back_change_is_not_counted(store: Store) -> None:
    start = version(store)

    def add_then_fail() -> None:
        with store.write() as connection:
            add_source(connection, kind="feed", url="https://b.example/feed", now=NOW)
            raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        add_then_fail()
    assert version(store) == start
    with store.write() as connection:  # the next transaction on that connection starts clean
        record_failure(connection, 1, now=NOW, next_check_at=NOW, error="x")
    assert version(store) == start


def test_the_marker_moves_with_the_version(store: Store) -> None:
    with store.read() as connection:
        before = change_marker(connection)
    with store.write() as connection:
        add_source(connection, kind="feed", url="https://c.example/feed", now=NOW)
    with store.read() as connection:
        after = change_marker(connection)
    assert after.token != before.token
    assert after.modified >= before.modified
