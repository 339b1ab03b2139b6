"""Ranking on a small hand-made set: titles over text, denser over sparser, rarer over common,
newer on ties; and paging through a large match set shows each hit once."""

from __future__ import annotations

import importlib

import pytest

from incoming.index import search
from incoming.store.engine import Store
from tests.index.support import Text, add_feed, save

# The module, not the function the package exports under the same name.
search_module = importlib.import_module("incoming.index.search")
FILLER = "模型 训练 数据 the model is trained on data "


def ranked(store: Store, query: str, **paging: int) -> list[int]:
    with store.read() as connection:
        return [hit.article_id for hit in search(connection, query, **paging).hits]


def test_a_title_match_beats_a_text_match(store: Store) -> None:
    in_text, in_title = save(
        store,
        add_feed(store),
        [
            Text("Notes on training", f"{FILLER} reparameterization {FILLER}"),
            Text("Reparameterization", f"{FILLER} {FILLER}"),
        ],
    )
    assert ranked(store, "reparameterization") == [in_title, in_text]


def test_a_chinese_title_match_beats_a_text_match(store: Store) -> None:
    in_text, in_title = save(
        store,
        add_feed(store),
        [Text("训练笔记", f"{FILLER}重参数技巧{FILLER}"), Text("重参数技巧", f"{FILLER}{FILLER}")],
    )
    assert ranked(store, "重参数") == [in_title, in_text]


def test_a_denser_match_beats_a_sparser_one(store: Store) -> None:
    sparse, dense = save(
        store,
        add_feed(store),
        [
            Text("A", f"{FILLER} 梯度检查点 {FILLER} {FILLER} {FILLER}"),
            Text("B", f"{FILLER} 梯度检查点 {FILLER} 梯度检查点 {FILLER} 梯度检查点 {FILLER}"),
        ],
    )
    assert ranked(store, "梯度检查点") == [dense, sparse]


def test_the_rarer_term_weighs_more(store: Store) -> None:
    common = [Text(f"T{n}", f"{FILLER} attention {FILLER}") for n in range(8)]
    rare_heavy, common_heavy, *_ = save(
        store,
        add_feed(store),
        [
            Text("X", f"{FILLER} attention rope rope rope {FILLER}"),
            Text("Y", f"{FILLER} attention attention attention rope {FILLER}"),
            *common,
        ],
    )
    assert ranked(store, "attention rope") == [rare_heavy, common_heavy]


def test_equal_scores_list_the_newest_first(store: Store) -> None:
    ids = save(store, add_feed(store), [Text("Same", f"{FILLER} DPO")] * 3, prefix="same")
    assert ranked(store, "dpo") == ids  # saved newest first


@pytest.fixture
def small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rank windows of a few articles, so a small store has matches beyond them."""
    monkeypatch.setattr(search_module, "RANK_WINDOW", 5)
    monkeypatch.setattr(search_module, "TITLE_WINDOW", 2)
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 8)


@pytest.mark.usefixtures("small_windows")
def test_an_old_title_match_is_ranked_among_the_newest_matches(store: Store) -> None:
    texts = [Text(f"Note {n}", f"{FILLER} LoRA {FILLER}") for n in range(12)]
    *_, oldest = save(store, add_feed(store), [*texts, Text("LoRA", FILLER)])
    assert ranked(store, "lora", limit=1) == [oldest]


@pytest.mark.usefixtures("small_windows")
def test_old_title_matches_still_obey_exclusions(store: Store) -> None:
    texts = [Text(f"Note {n}", f"{FILLER} LoRA {FILLER}") for n in range(12)]
    *_, excluded, oldest = save(
        store, add_feed(store), [*texts, Text("LoRA", "QLoRA"), Text("LoRA", FILLER)]
    )
    found = ranked(store, "lora -qlora", limit=20)
    assert found[0] == oldest
    assert excluded not in found


@pytest.mark.usefixtures("small_windows")
@pytest.mark.parametrize("limit", [1, 3, 4, 7])
def test_pages_hold_every_hit_once(store: Store, limit: int) -> None:
    texts = [Text(f"Note {n}", f"{FILLER} {'MoE ' * (n % 4 + 1)}") for n in range(14)]
    ids = save(store, add_feed(store), [*texts, Text("MoE", FILLER), Text("MoE too", FILLER)])
    seen: list[int] = []
    for offset in range(0, 30, limit):
        seen += ranked(store, "moe", limit=limit, offset=offset)
    assert sorted(seen) == sorted(ids)


@pytest.mark.usefixtures("small_windows")
def test_many_matches_are_counted_up_to_a_limit_or_just_past_the_page(store: Store) -> None:
    save(store, add_feed(store), [Text(f"Note {n}", f"{FILLER} GRPO") for n in range(14)])

    def counted(offset: int) -> tuple[int, bool]:
        with store.read() as connection:
            page = search(connection, "grpo", limit=3, offset=offset)
        return page.total, page.total_is_exact

    assert counted(0) == (8, False)  # at least 8
    assert counted(6) == (10, False)  # one past the page: there is a next one
    assert counted(12) == (14, True)
