"""The one tokenizer: folding, words, CJK bigrams, markers between runs, characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from incoming.index.tokens import (
    JOINER,
    MARKER,
    MAX_WORD_LENGTH,
    distinct_chars,
    fold,
    pair_tokens,
    pieces,
    word_tokens,
)


def test_folding_joins_full_and_half_width_and_case() -> None:
    assert fold("ＮＬＰ") == fold("nlp") == fold("NLP") == "nlp"
    assert fold("Ｔｒａｎｓｆｏｒｍｅｒ") == "transformer"
    assert fold("Straße") == "strasse"
    assert fold("ﬁne-tuning") == "fine-tuning"  # the ligature is two letters
    assert fold("ｶﾀｶﾅ") == "カタカナ"  # half-width katakana


def test_cjk_runs_become_overlapping_bigrams_and_words_stay_whole() -> None:
    tokens, runs = word_tokens(fold("注意力机制 Transformer的KV-Cache"))
    assert tokens == ["注意", "意力", "力机", "机制", "transformer", "的", "kv", "cache"]
    assert runs == ["注意力机制", "的"]


def test_a_marker_stands_between_cjk_runs_so_phrases_do_not_cross_them() -> None:
    tokens, _ = word_tokens(fold("注意。意力"))
    assert tokens == ["注意", MARKER, "意力"]
    assert fold(MARKER) != MARKER  # NFKC maps it away: no folded text holds it
    tokens, _ = word_tokens(fold("注意 x 意力"))
    assert MARKER not in tokens  # a word between the runs separates them already


def test_underscores_and_punctuation_separate_words_and_long_words_are_cut() -> None:
    assert word_tokens(fold("d_model, k=v; x²"))[0] == ["d", "model", "k", "v", "x2"]
    (long,) = word_tokens("a" * 500)[0]
    assert long == "a" * MAX_WORD_LENGTH


def test_pairs_join_neighbours_but_not_across_a_marker() -> None:
    tokens, _ = word_tokens(fold("the Transformer 注意力。好的 KV"))
    assert pair_tokens(tokens) == [
        f"the{JOINER}transformer",
        f"transformer{JOINER}注意",
        f"注意{JOINER}意力",
        f"好的{JOINER}kv",
    ]
    assert pair_tokens(word_tokens(fold("注意。意力"))[0]) == []  # MARKER pairs with nothing
    assert pair_tokens(["dpo"]) == pair_tokens([]) == []


@given(st.text(max_size=200))
def test_no_token_holds_the_joiner(text: str) -> None:
    tokens, runs = word_tokens(fold(text))
    assert not any(JOINER in token for token in [*tokens, *distinct_chars(runs)])
    assert all(pair.count(JOINER) == 1 for pair in pair_tokens(tokens))


def test_the_chars_stream_holds_each_character_once_in_order() -> None:
    assert distinct_chars(["模型训练", "训练模型", "数据"]) == ["模", "型", "训", "练", "数", "据"]


@given(st.text(max_size=200))
def test_tokens_are_never_empty_and_never_hold_a_space(text: str) -> None:
    folded = fold(text)
    tokens, runs = word_tokens(folded)
    assert all(token and not any(c.isspace() for c in token) for token in tokens)
    assert "".join(runs) == "".join(p.text for p in pieces(folded) if p.is_cjk)
    assert fold(folded) == folded
