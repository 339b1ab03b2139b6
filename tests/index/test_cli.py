"""`incoming search` and `incoming reindex` on a real database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from incoming.cli import cli
from incoming.store.engine import Store
from tests.index.support import Text, add_feed, save


@pytest.fixture
def run(db_url: str, store: Store):
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--database", db_url, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def ids(store: Store) -> list[int]:
    return save(
        store,
        add_feed(store, title="科学空间"),
        [
            Text("Transformer 的注意力", "缩放点积注意力 softmax(QK^T) 让每个 token 看见全部。"),
            Text("RoPE 位置编码", "旋转位置编码把注意力的相对位置写进旋转。"),
            Text("DPO", "直接偏好优化，不需要奖励模型。"),
        ],
    )


def test_search_prints_a_table_best_first(run, ids: list[int]) -> None:
    result = run("search", "注意力")
    assert result.exit_code == 0, result.output
    assert result.output.index("Transformer") < result.output.index("RoPE")
    assert "2 articles match, 2 shown" in result.output
    assert "<mark>" not in result.output


def test_search_json_is_one_object_a_line(run, ids: list[int]) -> None:
    result = run("search", "注意力", "--json", "--limit", "1")
    assert result.exit_code == 0
    (line,) = result.output.splitlines()
    hit = json.loads(line)
    assert set(hit) == {"id", "title", "url", "score", "snippet"}
    assert hit["id"] == ids[0]
    assert "<mark>注意力</mark>" in hit["snippet"]


def test_search_with_no_match_prints_nothing_in_json(run, ids: list[int]) -> None:
    assert run("search", "量子", "--json").output == ""
    assert run("search", '"*NEAR(', "--json").exit_code == 0


def test_search_rejects_a_bad_limit(run, ids: list[int]) -> None:
    result = run("search", "dpo", "--limit", "0")
    assert result.exit_code == 2
    assert "--limit" in result.output


def test_reindex_rebuilds_and_says_how_many(run, ids: list[int]) -> None:
    result = run("reindex")
    assert result.exit_code == 0
    assert result.output == "indexed 3 articles\n"
    assert json.loads(run("search", "DPO", "--json").output)["id"] == ids[2]


def test_a_query_may_start_with_an_exclusion(run, ids: list[int]) -> None:
    result = run("search", "-注意力", "--json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == [ids[2]]
    result = run("search", "--limit", "1", "-vision")
    assert result.exit_code == 0, result.output
    assert "3 articles match, 1 shown" in result.output
