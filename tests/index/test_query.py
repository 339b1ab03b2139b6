"""The query language: terms, phrases, exclusions, OR, filters; anything else is words."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incoming.index.query import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    Char,
    Phrase,
    Query,
    Term,
    parse_query,
)


def leaves(term: Term) -> tuple[object, ...]:
    return term.leaves


def groups(query: Query) -> list[list[tuple[object, ...]]]:
    return [[leaves(term) for term in group] for group in query.groups]


def test_words_and_cjk_strings_must_all_match() -> None:
    assert groups(parse_query("Transformer 注意力")) == [
        [(Phrase(("transformer",)),)],
        [(Phrase(("注意", "意力")),)],
    ]


def test_mixed_script_word_is_one_term_of_consecutive_tokens() -> None:
    assert groups(parse_query("KV缓存")) == [[(Phrase(("kv", "缓存")),)]]


@pytest.mark.parametrize("quoted", ['"self attention"', "“self attention”", '"Self-Attention"'])
def test_quoted_phrases_keep_their_order(quoted: str) -> None:
    assert groups(parse_query(quoted)) == [[(Phrase(("self", "attention")),)]]


def test_a_single_cjk_character_is_looked_for_as_a_character() -> None:
    assert groups(parse_query("熵")) == [[(Char("熵"),)]]


def test_lone_characters_at_the_ends_of_a_term_may_continue_longer_runs() -> None:
    # "的B" is in "目的B": 的 is no token of its own there, so it is found as a character.
    (term,) = parse_query("的B").groups[0]
    assert set(term.leaves) == {Char("的"), Phrase(("b",))}


def test_excluded_terms() -> None:
    query = parse_query('diffusion -GAN -"score matching"')
    assert groups(query) == [[(Phrase(("diffusion",)),)]]
    assert [leaves(t) for t in query.excluded] == [
        (Phrase(("gan",)),),
        (Phrase(("score", "matching")),),
    ]


def test_or_joins_the_terms_beside_it() -> None:
    assert groups(parse_query("DPO OR PPO")) == [[(Phrase(("dpo",)),), (Phrase(("ppo",)),)]]
    assert groups(parse_query("a OR b c")) == [
        [(Phrase(("a",)),), (Phrase(("b",)),)],
        [(Phrase(("c",)),)],
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("OR", [[(Phrase(("or",)),)]]),  # a lone OR is the word
        ("adam OR", [[(Phrase(("adam",)),)], [(Phrase(("or",)),)]]),
        ("or gate", [[(Phrase(("or",)),)], [(Phrase(("gate",)),)]]),  # lower case: a word
    ],
)
def test_or_without_two_sides_is_a_word(raw: str, expected: list[object]) -> None:
    assert groups(parse_query(raw)) == expected


def test_filters() -> None:
    query = parse_query(
        'rope source:3 source:"Lil\'Log" topic:nlp topic:"强化学习"'
        " after:2024-01-01 before:2024-02-01"
    )
    assert groups(query) == [[(Phrase(("rope",)),)]]
    assert query.filters.sources == ("3", "Lil'Log")
    assert query.filters.topics == ("nlp", "强化学习")
    assert (query.filters.after, query.filters.before) == (date(2024, 1, 1), date(2024, 2, 1))


def test_the_narrowest_dates_win() -> None:
    query = parse_query("after:2024-01-01 after:2024-03-01 before:2025-01-01 before:2024-06-01")
    assert (query.filters.after, query.filters.before) == (date(2024, 3, 1), date(2024, 6, 1))


@pytest.mark.parametrize("raw", ["after:2024-13-45", "before:yesterday", "after:20240101"])
def test_a_filter_with_a_bad_value_is_searched_as_words(raw: str) -> None:
    query = parse_query(raw)
    assert not query.filters
    assert query.groups


def test_stray_quotes_and_punctuation_are_ignored() -> None:
    assert groups(parse_query('attention"')) == [[(Phrase(("attention",)),)]]
    assert parse_query('"" ... !!! -').groups == ()


def test_long_queries_are_cut() -> None:
    assert len(parse_query(" ".join(f"w{n}" for n in range(200))).groups) == MAX_TERMS
    (group,) = parse_query("x" * 10_000).groups
    assert len(group[0].needles[0].text) <= MAX_QUERY_LENGTH


@given(st.text(max_size=300))
def test_parsing_never_fails(raw: str) -> None:
    query = parse_query(raw)
    for group in query.groups:
        assert group
        for term in group:
            assert term.leaves
