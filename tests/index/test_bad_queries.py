"""Whatever a reader types is a query: results or an empty list, never an error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incoming.index import search
from incoming.store.engine import Store
from tests.index.support import Text, add_feed, save

BAD = [
    "",
    "   ",
    "x" * 10_240,
    "注意力" * 3_000,
    "!!! ??? ... ，。、",
    '"',
    '"unbalanced attention',
    'attention"',
    '"*',
    "NEAR(attention rope)",
    "attention NEAR/3 rope",
    "'--",
    "'; DROP TABLE articles; --",
    "a AND",
    "AND OR NOT",
    "OR",
    "-",
    "--",
    "-attention",  # only exclusions
    "source:",
    "topic:",
    "after:",
    "after:9999-99-99",
    "before:0000-01-01",
    "source:nope",
    "topic:nope attention",
    "\\",
    "%",
    "_",
    "*",
    "^attention",
    "title:attention",
    "{title_words}: attention",
    "attention*",
    "{a b}",
    "a:b",
    '"" ""',
    "\x00attention\x00",
    "𝕏 🤖 👨\u200d👩\u200d👧",
    "\u200b\ufeff",
    "attention\n\trope",
    "'\\'",
    "& | ! <->",  # tsquery operators
    "a:*",
]


@pytest.fixture
def stored(store: Store) -> Store:
    save(store, add_feed(store), [Text("Attention", "attention and rope 注意力"), Text("x", "y")])
    return store


@pytest.mark.parametrize("query", BAD)
def test_bad_queries_answer_results_or_nothing(stored: Store, query: str) -> None:
    with stored.read() as connection:
        page = search(connection, query)
    assert page.total == len(page.hits) <= 2


def test_operators_are_searched_as_the_words_around_them(stored: Store) -> None:
    with stored.read() as connection:
        assert search(connection, "(attention rope)").total == 1
        assert search(connection, "NEAR(attention rope)").total == 0  # "near" is a word: absent
        assert search(connection, "attention* rope").total == 1
        assert search(connection, "title:attention").total == 0  # "title" is not in it


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=120))
def test_any_text_is_a_query(stored: Store, query: str) -> None:
    with stored.read() as connection:
        page = search(connection, query, limit=5)
    assert len(page.hits) <= 5
