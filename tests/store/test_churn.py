"""Churn against change in the save path, on both databases: re-issued entries, feed rewrites,
and an entry that really changes on every fetch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incoming.models import ArticleDraft
from incoming.store.articles import count_articles, latest_articles, save_drafts, stored_hashes
from incoming.store.engine import Store
from incoming.store.sources import add_source

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def draft(n: int, edit: int = 0, **changes: object) -> ArticleDraft:
    """Article `n` as of its `edit`-th real edit (a new sentence each time)."""
    text = f"text of article {n}." + " More." * edit
    base = ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://example.org/{n}",
        title=f"article {n}",
        author=None,
        language="en",
        published=NOW - n * HOUR,
        updated=None,
        content_html=f"<p>{text}</p>",
        content_text=text,
        excerpt_html=text,
        content_hash=f"hash-{n}-{edit}",
    )
    return replace(base, **changes)


@pytest.fixture
def source_id(store: Store) -> int:
    with store.write() as connection:
        return add_source(connection, kind="feed", url="https://example.org/feed", now=NOW).id


def save(
    store: Store, source_id: int, drafts: list[ArticleDraft], now: datetime
) -> tuple[int, int, int]:
    with store.write() as connection:
        counts = save_drafts(connection, source_id, drafts, now=now)
    return counts.new, counts.updated, counts.unchanged


def updated(store: Store) -> dict[str, datetime]:
    with store.read() as connection:
        return {a.title: a.updated for a in latest_articles(connection, limit=100)}


def test_a_reissued_entry_takes_the_new_guid_but_other_pages_stay_apart(
    store: Store, source_id: int
) -> None:
    save(store, source_id, [draft(1), draft(2)], NOW)
    again = draft(1, identity="g:1b", guid="1b", url="https://example.org/1?utm_source=feed")
    home = draft(3, url="https://example.org/2")  # the same link, another text: a new article
    assert save(store, source_id, [again, home], NOW + HOUR) == (1, 0, 1)
    with store.read() as connection:
        assert count_articles(connection) == 3
        assert set(stored_hashes(connection, source_id)) == {"g:1b", "g:2", "g:3"}
    assert updated(store)["article 1"] == NOW - HOUR  # its place is kept


def test_a_rewrite_of_most_of_the_feed_keeps_places_a_few_edits_move_up(
    store: Store, source_id: int
) -> None:
    save(store, source_id, [draft(n) for n in range(1, 7)], NOW)
    before = updated(store)
    few = [draft(n, edit=1 if n <= 3 else 0) for n in range(1, 7)]
    assert save(store, source_id, few, NOW + HOUR) == (0, 3, 3)  # 3 real edits: news
    assert [updated(store)[f"article {n}"] for n in (1, 2, 3)] == [NOW + HOUR] * 3
    rewrite = [draft(n, edit=2) for n in range(1, 7)]
    assert save(store, source_id, rewrite, NOW + 30 * HOUR) == (0, 0, 6)  # all 6: a rewrite
    assert updated(store)["article 6"] == before["article 6"]


def test_an_entry_that_really_changes_on_every_fetch_moves_up_once_a_day(
    store: Store, source_id: int
) -> None:
    save(store, source_id, [draft(1)], NOW)
    assert save(store, source_id, [draft(1, edit=1)], NOW + HOUR)[1] == 1
    assert save(store, source_id, [draft(1, edit=2)], NOW + 2 * HOUR)[1] == 0
    assert save(store, source_id, [draft(1, edit=3)], NOW + 20 * HOUR)[1] == 0
    assert updated(store)["article 1"] == NOW + HOUR
    assert save(store, source_id, [draft(1, edit=4)], NOW + 26 * HOUR)[1] == 1
    assert updated(store)["article 1"] == NOW + 26 * HOUR
