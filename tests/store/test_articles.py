"""Saving entries: no duplicates, updates in place move up, nothing stored is lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incoming.models import ArticleDraft
from incoming.store.articles import (
    count_articles,
    get_article,
    latest_articles,
    mark_gone,
    save_drafts,
    sort_time,
    stored_hashes,
)
from incoming.store.engine import Store
from incoming.store.sources import add_source

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def draft(n: int, **changes: object) -> ArticleDraft:
    base = ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://example.org/{n}",
        title=f"文章 {n}",
        author="作者",
        language="zh",
        published=NOW - n * HOUR,
        updated=None,
        content_html=f"<p>正文 {n}</p>",
        content_text=f"正文 {n}",
        excerpt_html=f"正文 {n}",
        content_hash=f"hash-{n}",
        topics=(("nlp", "NLP"),),
    )
    return replace(base, **changes)


@pytest.fixture
def source_id(store: Store) -> int:
    with store.write() as connection:
        return add_source(connection, kind="feed", url="https://example.org/feed", now=NOW).id


@pytest.mark.parametrize(
    ("claimed", "previous", "expected"),
    [
        (NOW - HOUR, None, NOW - HOUR),  # new: the time the source claims
        (None, None, NOW),  # new, no date: now
        (NOW + 100 * HOUR, None, NOW),  # new, future date: never later than now
        (NOW - HOUR, NOW - 2 * HOUR, NOW - HOUR),  # changed, later claim: that claim
        (NOW - 2 * HOUR, NOW - 2 * HOUR, NOW),  # changed, same claim: now
        (None, NOW - 2 * HOUR, NOW),  # changed, no claim: now
    ],
)
def test_sort_time(claimed: datetime | None, previous: datetime | None, expected: datetime) -> None:
    entry = draft(1, published=None, updated=claimed)
    assert sort_time(entry, now=NOW, previous=previous) == expected


def test_new_entries_are_inserted_once(store: Store, source_id: int) -> None:
    drafts = [draft(n) for n in range(1, 6)]
    with store.write() as connection:
        counts = save_drafts(connection, source_id, drafts, now=NOW)
    assert (counts.new, counts.updated, counts.unchanged) == (5, 0, 0)
    with store.write() as connection:
        again = save_drafts(connection, source_id, drafts, now=NOW + HOUR)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    with store.read() as connection:
        assert count_articles(connection) == 5
        newest = latest_articles(connection, limit=2)
    assert [a.title for a in newest] == ["文章 1", "文章 2"]
    assert newest[0].topics == (("nlp", "NLP"),)
    assert newest[0].updated.tzinfo is not None


def test_duplicate_guids_in_one_feed_keep_the_first(store: Store, source_id: int) -> None:
    with store.write() as connection:
        counts = save_drafts(
            connection, source_id, [draft(1), draft(1, title="dup", content_hash="x")], now=NOW
        )
    assert counts.new == 1
    with store.read() as connection:
        assert [a.title for a in latest_articles(connection)] == ["文章 1"]


def test_changed_entry_is_updated_in_place_and_moves_up(store: Store, source_id: int) -> None:
    with store.write() as connection:
        save_drafts(connection, source_id, [draft(1), draft(2), draft(3)], now=NOW)
    with store.read() as connection:
        old = latest_articles(connection)[-1]
    assert old.title == "文章 3"
    changed = draft(3, title="文章 3 (修订)", content_hash="hash-3b", topics=(("rl", "RL"),))
    with store.write() as connection:
        counts = save_drafts(connection, source_id, [changed], now=NOW + HOUR)
    assert (counts.new, counts.updated) == (0, 1)
    with store.read() as connection:
        top = latest_articles(connection)[0]
        assert count_articles(connection) == 3
    assert (top.id, top.title, top.updated, top.topics) == (
        old.id,
        "文章 3 (修订)",
        NOW + HOUR,
        (("rl", "RL"),),
    )
    assert top.first_seen == NOW


def test_entries_sharing_a_time_keep_feed_order(store: Store, source_id: int) -> None:
    undated = [draft(n, published=None) for n in (1, 2, 3)]
    with store.write() as connection:
        save_drafts(connection, source_id, undated, now=NOW)
    with store.read() as connection:
        assert [a.title for a in latest_articles(connection)] == ["文章 1", "文章 2", "文章 3"]


def test_gone_entries_are_kept_and_revived(store: Store, source_id: int) -> None:
    with store.write() as connection:
        save_drafts(connection, source_id, [draft(1), draft(2)], now=NOW)
        assert mark_gone(connection, source_id, ["g:1"]) == 1
    with store.read() as connection:
        gone = [a for a in latest_articles(connection) if a.gone]
        assert [a.title for a in gone] == ["文章 2"]
        assert count_articles(connection) == 2
    with store.write() as connection:
        save_drafts(connection, source_id, [], now=NOW, unchanged=["g:2"])
    with store.read() as connection:
        assert not any(a.gone for a in latest_articles(connection))


def test_stored_hashes(store: Store, source_id: int) -> None:
    with store.write() as connection:
        save_drafts(connection, source_id, [draft(n) for n in range(1, 4)], now=NOW)
    with store.read() as connection:
        assert stored_hashes(connection, source_id, ["g:1", "g:9"]) == {"g:1": "hash-1"}
        assert len(stored_hashes(connection, source_id)) == 3


def test_get_article(store: Store, source_id: int) -> None:
    with store.write() as connection:
        save_drafts(connection, source_id, [draft(7)], now=NOW)
    with store.read() as connection:
        article_id = latest_articles(connection)[0].id
        found = get_article(connection, article_id)
        assert get_article(connection, article_id + 1000) is None
    assert found is not None
    assert found.content_html == "<p>正文 7</p>"
