"""Id windows: blocks that make up a range exactly, and PostgreSQL's windowed matching finding
the same newest articles as FTS5 when the ids spread over many blocks of every level."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, insert, text

from incoming.index import search
from incoming.index.documents import document_tokens, index_articles
from incoming.index.matching import matcher_for
from incoming.index.query import parse_query
from incoming.index.search import filter_scope
from incoming.index.windows import (
    SMALLEST,
    WINDOW_LEVELS,
    aligned,
    recent_start,
    window_lexemes,
)
from incoming.store.engine import Store, open_store
from incoming.store.schema import articles
from tests.index.corpus import generated_texts, holds
from tests.index.support import NOW, Text, add_feed
from tests.support.databases import database_url

# Ids 1, 1+SPACING, ...: the corpus spans blocks of every level, a few articles per small one.
SPACING = 733
TEXTS = generated_texts(400, seed=3)
IDS = [1 + n * SPACING for n in range(len(TEXTS))]
QUERIES = [
    "模型",
    "注意力机制",
    '"模型 训练"',
    "attention",
    '"the attention"',
    '"attention 模型"',
    "Transformer 梯度",
    "DPO OR PPO",
    "的 -模型",
    'loss -"the of"',
    "熵",
    "source:other 模型",
]
LIMITS = [1, 3, 20, 201, 1000]
search_module = importlib.import_module("incoming.index.search")


def _blocks(low: int, high: int) -> list[range]:
    found = []
    for lexeme in window_lexemes(low, high):
        level, number = (int(part) for part in lexeme[1:].split(":"))
        assert level in WINDOW_LEVELS
        found.append(range(number << level, (number + 1) << level))
    return found


@given(st.integers(0, 4000), st.integers(0, 4000))
def test_blocks_make_up_the_window_exactly(low: int, size: int) -> None:
    low, high = low * SMALLEST, (low + size) * SMALLEST
    blocks = _blocks(low, high)
    covered = sorted(i for block in blocks for i in (block.start, block.stop))
    assert sum(len(block) for block in blocks) == high - low
    assert all(low <= block.start and block.stop <= high for block in blocks)
    assert covered == sorted(covered)  # newest first, none overlapping
    assert [b.start for b in blocks] == sorted((b.start for b in blocks), reverse=True)
    assert len(blocks) <= 2 * 7 * len(WINDOW_LEVELS) + (high >> WINDOW_LEVELS[-1])


def test_the_newest_window_ends_past_the_newest_id() -> None:
    assert aligned(1) == SMALLEST
    assert aligned(SMALLEST - 1) == SMALLEST
    assert aligned(SMALLEST) == 2 * SMALLEST


def _fill(store: Store) -> None:
    main, other = add_feed(store), add_feed(store, "https://example.org/other", "other")
    rows = [
        {
            "id": article_id,
            "source_id": other if n % 5 == 0 else main,
            "identity": f"g:{article_id}",
            "url": f"https://example.org/{article_id}",
            "title": text.title,
            "published": NOW,
            "updated": NOW,
            "first_seen": NOW,
            "content_html": f"<p>{text.body}</p>",
            "content_text": text.body,
            "excerpt_html": "",
            "content_hash": str(article_id),
        }
        for n, (article_id, text) in enumerate(zip(IDS, TEXTS, strict=True))
    ]
    with store.write() as connection:
        connection.execute(insert(articles), rows)
        index_articles(
            connection,
            {
                row["id"]: document_tokens(row["title"], row["content_text"], row["content_html"])
                for row in rows
            },
        )


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    folder = tmp_path_factory.mktemp("windows")
    with database_url("sqlite", folder) as lite, database_url("postgres", folder) as postgres:
        opened = {"sqlite": open_store(lite), "postgres": open_store(postgres)}
        try:
            for store in opened.values():
                _fill(store)
            yield opened
        finally:
            for store in opened.values():
                store.close()


def _newest(
    store: Store, query: str, limit: int, *, title_only: bool, before: int | None = None
) -> list[int]:
    parsed = parse_query(query)
    with store.read() as connection:
        scope = filter_scope(connection, parsed.filters)
        assert scope is not None
        with matcher_for(connection) as matcher:
            return matcher.newest(parsed, scope, title_only=title_only, limit=limit, before=before)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("title_only", [False, True])
def test_postgres_finds_the_newest_matches_as_sqlite_does(
    stores: dict[str, Store], query: str, title_only: bool
) -> None:
    for limit in LIMITS:
        for before in (None, IDS[37], IDS[250] + 1, 1):
            newest = _newest(stores["sqlite"], query, limit, title_only=title_only, before=before)
            assert newest == sorted(newest, reverse=True)
            assert all(article_id < (before or IDS[-1] + 1) for article_id in newest)
            on_postgres = _newest(
                stores["postgres"], query, limit, title_only=title_only, before=before
            )
            assert on_postgres == newest, (limit, before)


def _holding(*needles: str, title_only: bool = False) -> list[int]:
    def has(text: Text, needle: str) -> bool:
        return holds(Text(text.title, "") if title_only else text, needle)

    return sorted(
        (i for i, text in zip(IDS, TEXTS, strict=True) if all(has(text, n) for n in needles)),
        reverse=True,
    )


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_windows_find_every_match_and_only_those(stores: dict[str, Store], kind: str) -> None:
    for needles in (["模型"], ["注意力机制"], ["attention"], ["transformer", "梯度"], ["熵"]):
        for title_only in (False, True):
            expected = _holding(*needles, title_only=title_only)
            assert expected or title_only, needles
            found = _newest(stores[kind], " ".join(needles), 1000, title_only=title_only)
            assert found == expected, (needles, title_only)


def _counts_since(store: Store, query: str, start: int) -> list[int]:
    with store.read() as connection, matcher_for(connection) as matcher:
        return matcher.counts_since(parse_query(query).leaves, start)


@pytest.mark.parametrize("reach", [SMALLEST, 8 * SMALLEST, 200 * SMALLEST, 1000 * SMALLEST])
def test_both_stores_count_a_terms_recent_articles_alike(
    stores: dict[str, Store], reach: int
) -> None:
    start = recent_start(IDS[-1], reach)
    exact = ["模型", "attention", "熵", "transformer", "的"]  # the index terms say it all
    counts = _counts_since(stores["sqlite"], " ".join(exact), start)
    truth = [sum(i >= start for i in _holding(needle)) for needle in exact]
    assert counts == truth
    assert _counts_since(stores["postgres"], " ".join(exact), start) == counts
    phrases = '注意力机制 "attention 模型" "the attention"'
    assert _counts_since(stores["postgres"], phrases, start) == _counts_since(
        stores["sqlite"], phrases, start
    )


def test_idf_from_the_newest_articles_is_alike_on_both_stores(
    stores: dict[str, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_module, "IDF_REACH", 64 * SMALLEST)  # a third of the ids
    common, rare = "transformer", "注意力机制"
    assert len(_holding(common)) > 4 * len(_holding(rare)) > 0
    weights = []
    for store in stores.values():
        with store.read() as connection, matcher_for(connection) as matcher:
            weights.append(search_module._weights(matcher, parse_query(f"{common} {rare}")))
    assert weights[0] == weights[1]
    low, high = weights[0].values()
    assert high > low > 0


def test_a_search_leaves_the_planner_as_it_found_it(stores: dict[str, Store]) -> None:
    names = (
        "enable_seqscan",
        "enable_indexscan",
        "plan_cache_mode",
        "jit",
        "max_parallel_workers_per_gather",
    )
    read = ", ".join(f"current_setting('{name}')" for name in names)
    settings = text(f"SELECT {read}")
    with stores["postgres"].read() as connection:
        before = tuple(connection.execute(settings).one())
        assert before[:3] == ("on", "on", "auto")
        assert search(connection, "模型").total > 0
        assert tuple(connection.execute(settings).one()) == before


def test_the_matcher_reads_the_gin_indexes(stores: dict[str, Store]) -> None:
    """Its statements spell the indexes' expressions: a tsvector computed row by row instead
    would give the same answers a thousand times slower."""
    store = stores["postgres"]
    statements: list[tuple[str, Any]] = []

    def seen(_conn: object, _cursor: object, statement: str, params: Any, *_: object) -> None:
        if "@@" in statement:
            statements.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        for title_only in (False, True):
            _newest(store, '"模型 训练" -熵 source:other', 3, title_only=title_only)
        _counts_since(store, '"模型 训练" 熵', recent_start(IDS[-1], 8 * SMALLEST))
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert len(statements) >= 3
    with store.read() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        for statement, params in statements:
            plan = "\n".join(connection.exec_driver_sql(f"EXPLAIN {statement}", params).scalars())
            assert "Bitmap Index Scan on ix_search_documents_" in plan, plan
