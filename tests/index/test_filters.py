"""The filters: source by id, URL or title; topic by slug or name; dates; with words."""

from __future__ import annotations

import pytest

from incoming.index import search
from incoming.store.engine import Store
from tests.index.support import Text, add_feed, save


@pytest.fixture
def stored(store: Store) -> dict[str, int]:
    lil = add_feed(store, "https://lilianweng.github.io/index.xml", "Lil'Log")
    kexue = add_feed(store, "https://kexue.fm/feed", "科学空间")
    rl = (("强化学习", "强化学习"),)
    (ppo,) = save(store, lil, [Text("PPO", "策略梯度 PPO", rl)], prefix="l")
    # saved "now", 1 hour and 2 hours ago (see support.NOW: 2026-11-01 12:00 UTC)
    dpo, rope, old = save(
        store,
        kexue,
        [
            Text("DPO", "偏好 PPO 的替代", (*rl, ("nlp", "NLP"))),
            Text("RoPE", "位置编码", (("nlp", "NLP"),)),
            Text("Old PPO", "PPO"),
        ],
        prefix="k",
    )
    return {"ppo": ppo, "dpo": dpo, "rope": rope, "old": old, "lil": lil, "kexue": kexue}


def found(store: Store, query: str) -> set[int]:
    with store.read() as connection:
        return {hit.article_id for hit in search(connection, query, limit=50).hits}


def test_source_by_id_url_or_title(store: Store, stored: dict[str, int]) -> None:
    assert found(store, f"ppo source:{stored['lil']}") == {stored["ppo"]}
    assert found(store, 'ppo source:"Lil\'Log"') == {stored["ppo"]}
    assert found(store, "ppo source:kexue.fm") == {stored["dpo"], stored["old"]}
    assert found(store, "ppo source:科学") == {stored["dpo"], stored["old"]}
    assert found(store, "ppo source:nowhere") == set()


def test_topic_by_slug_or_name(store: Store, stored: dict[str, int]) -> None:
    assert found(store, "ppo topic:强化学习") == {stored["ppo"], stored["dpo"]}
    assert found(store, "位置 topic:NLP") == {stored["rope"]}
    assert found(store, "ppo topic:unknown") == set()


def test_dates(store: Store, stored: dict[str, int]) -> None:
    assert found(store, "ppo after:2026-11-01") == {stored["ppo"], stored["dpo"], stored["old"]}
    assert found(store, "ppo after:2026-11-02") == set()
    assert found(store, "ppo before:2026-11-01") == set()
    assert found(store, "ppo before:2026-11-02 after:2026-10-31") == found(store, "ppo")


def listed(store: Store, query: str, **page: int) -> list[int]:
    with store.read() as connection:
        return [hit.article_id for hit in search(connection, query, **page).hits]


def test_filters_alone_list_their_articles_newest_first(
    store: Store, stored: dict[str, int]
) -> None:
    # The issue: `topic:d2l` in the search box found nothing; it lists, as the topic page does.
    assert listed(store, f"source:{stored['lil']}") == [stored["ppo"]]
    assert listed(store, "source:kexue.fm") == [stored["dpo"], stored["rope"], stored["old"]]
    assert listed(store, "topic:nlp") == [stored["dpo"], stored["rope"]]
    assert listed(store, "topic:nlp before:2026-11-01") == []
    assert listed(store, "topic:unknown") == []
    assert listed(store, "source:kexue.fm", limit=1, offset=1) == [stored["rope"]]
    with store.read() as connection:
        page = search(connection, "source:kexue.fm", limit=1)
    assert (page.total, page.total_is_exact) == (3, True)


def test_exclusions_alone_list_what_they_leave(store: Store, stored: dict[str, int]) -> None:
    assert listed(store, "-ppo") == [stored["rope"]]
    assert listed(store, '-"位置编码" topic:nlp') == [stored["dpo"]]
    assert set(listed(store, "-nothing_matches_this")) == {
        stored[key] for key in ("ppo", "dpo", "rope", "old")
    }
