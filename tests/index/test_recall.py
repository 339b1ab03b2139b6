"""Recall and precision against a plain scan: every article holding what was asked is found,
and only those, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incoming.index import search
from incoming.index.tokens import fold
from incoming.store.engine import Store, open_store
from tests.index.corpus import CJK_RUN, LATIN_WORD, generated_texts, holds
from tests.index.support import Text, add_feed, save
from tests.support.databases import database_url

TEXTS = generated_texts(60)
EVERY = 1000  # more than the corpus: one page holds every hit

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def corpus_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[int, Text]]]:
    with database_url(request.param, tmp_path_factory.mktemp("recall")) as url:
        store = open_store(url)
        try:
            ids = save(store, add_feed(store), TEXTS)
            yield store, dict(zip(ids, TEXTS, strict=True))
        finally:
            store.close()


def found(store: Store, query: str) -> set[int]:
    with store.read() as connection:
        page = search(connection, query, limit=EVERY)
    ids = {hit.article_id for hit in page.hits}
    assert len(ids) == len(page.hits) == page.total
    return ids


def expected(texts: dict[int, Text], *needles: str) -> set[int]:
    return {i for i, text in texts.items() if all(holds(text, needle) for needle in needles)}


@st.composite
def needles(draw: st.DrawFn) -> str:
    """A CJK substring (one character or more) or a word of a random article's title or text."""
    text = draw(st.sampled_from(TEXTS))
    folded = fold(f"{text.title} {text.body}")
    runs = [m.group() for m in CJK_RUN.finditer(folded)]
    words = [m.group() for m in LATIN_WORD.finditer(folded)]
    if runs and (not words or draw(st.booleans())):
        run = draw(st.sampled_from(runs))
        start = draw(st.integers(0, len(run) - 1))
        return run[start : draw(st.integers(start + 1, min(len(run), start + 6)))]
    return draw(st.sampled_from(words))


def styled(needle: str, draw: st.DrawFn) -> str:
    """The needle as a reader may type it: any case, full-width Latin letters."""
    if draw(st.booleans()):
        needle = needle.upper()
    if draw(st.booleans()):
        needle = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in needle)
    return needle


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(data=st.data())
def test_one_term_finds_exactly_the_articles_holding_it(corpus_store, data) -> None:
    store, texts = corpus_store
    needle = data.draw(needles())
    assert found(store, styled(needle, data.draw)) == expected(texts, needle)


@SETTINGS
@given(data=st.data())
def test_two_terms_find_the_articles_holding_both(corpus_store, data) -> None:
    store, texts = corpus_store
    first, second = data.draw(needles()), data.draw(needles())
    assert found(store, f"{first} {second}") == expected(texts, first, second)


@SETTINGS
@given(data=st.data())
def test_or_and_exclusion_follow_the_scan(corpus_store, data) -> None:
    store, texts = corpus_store
    first, second = data.draw(needles()), data.draw(needles())
    either = expected(texts, first) | expected(texts, second)
    assert found(store, f"{first} OR {second}") == either
    assert found(store, f"{first} -{second}") == expected(texts, first) - expected(texts, second)


def test_every_character_of_the_corpus_is_found(corpus_store) -> None:
    store, texts = corpus_store
    characters = {c for text in texts.values() for c in fold(text.title + text.body)}
    for character in sorted(c for c in characters if CJK_RUN.fullmatch(c)):
        assert found(store, character) == expected(texts, character), character


def test_a_phrase_does_not_match_across_punctuation(corpus_store) -> None:
    store, texts = corpus_store
    # "模型。训练" holds 模型 and 训练 but not 模型训练.
    assert found(store, "模型训练") == expected(texts, "模型训练")
    assert found(store, "模型训练") < found(store, "模型 训练") or not expected(texts, "模型 训练")
