"""Snippets and highlights: marks where the query matched, cut between characters and words,
never inside a formula, and always escaped."""

from __future__ import annotations

import html
import re

import regex
from hypothesis import given
from hypothesis import strategies as st

from incoming.index.query import parse_query
from incoming.index.snippets import ELLIPSIS, SNIPPET_COLUMNS, Highlighter

MARK = re.compile(r"</?mark>")


def snippet(text: str, query: str) -> str:
    return Highlighter(parse_query(query).needles).snippet_html(text)


def marked(fragment: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", fragment)]


def plain(fragment: str) -> str:
    """The text a snippet shows, without marks, entities or its ellipses."""
    return html.unescape(MARK.sub("", fragment)).removeprefix(ELLIPSIS).removesuffix(ELLIPSIS)


LONG_EN = " ".join(f"word{n}" for n in range(200))
LONG_ZH = "这是一段很长的中文文本，用来测试摘要的截断位置。" * 30


def test_a_latin_match_is_marked_and_the_cut_falls_between_words() -> None:
    text = f"{LONG_EN} the reparameterization trick {LONG_EN}"
    shown = snippet(text, "Reparameterization")
    assert marked(shown) == ["reparameterization"]
    assert shown.startswith(ELLIPSIS)
    assert shown.endswith(ELLIPSIS)
    words = plain(shown).split()
    assert all(re.fullmatch(r"word\d+|the|reparameterization|trick", w) for w in words), words


def test_cjk_matches_are_marked_and_the_window_is_counted_in_columns() -> None:
    text = f"{LONG_ZH}梯度检查点用计算换显存。{LONG_ZH}"
    shown = snippet(text, "梯度检查点")
    assert marked(shown) == ["梯度检查点"]
    assert len(plain(shown)) <= SNIPPET_COLUMNS // 2 + 1  # each character takes two columns
    assert plain(shown) in text


def test_mixed_text_marks_each_part_of_the_query() -> None:
    text = f"{LONG_ZH} Transformer 的注意力机制（attention）把每个 token 连起来。{LONG_ZH}"
    assert marked(snippet(text, "Transformer 注意力 token")) == ["Transformer", "注意力", "token"]


def test_the_window_goes_where_the_most_different_terms_meet() -> None:
    text = f"rope {LONG_EN} attention {LONG_EN} rope and attention together {LONG_EN}"
    assert "rope and attention together" in plain(snippet(text, "rope attention"))


def test_a_formula_at_the_edge_is_kept_whole_or_left_out() -> None:
    formula = r"\mathbb{E}_{q_\phi(z \mid x)}\left[\log p_\theta(x \mid z)\right] - \beta D_{KL}"
    for pad in range(0, 400, 7):
        text = f"{'注意' * (pad // 2)}{'x' * (pad % 2)} ELBO {formula} 是变分下界。{LONG_ZH}"
        shown = plain(snippet(text, "ELBO"))
        assert formula in shown or "\\" not in shown, (pad, shown)


def test_a_match_inside_a_formula_shows_the_whole_formula() -> None:
    formula = r"\frac{QK^\top}{\sqrt{d_k}}"
    text = f"{LONG_ZH} softmax {formula} V {LONG_ZH}"
    assert formula in plain(snippet(text, "d_k"))


def test_full_width_text_is_marked_for_a_half_width_query() -> None:
    assert marked(snippet("用ＮＬＰ模型做翻译", "nlp")) == ["ＮＬＰ"]
    assert Highlighter(parse_query("bert gpt").needles).highlight_html("ＢＥＲＴ 与 GPT") == (
        "<mark>ＢＥＲＴ</mark> 与 <mark>GPT</mark>"
    )


def test_words_match_whole_not_inside_longer_words() -> None:
    assert marked(snippet("attentions are not attention", "attention")) == ["attention"]


def test_text_is_escaped_and_only_marks_are_tags() -> None:
    shown = snippet('<script>alert("x")</script> & attention', "attention script")
    assert "<script" not in shown
    assert MARK.sub("", shown).count("<") == 0
    assert marked(shown) == ["script", "script", "attention"]


def test_without_a_match_in_the_text_it_is_the_beginning() -> None:
    shown = snippet(LONG_EN, "title-only")
    assert plain(shown).startswith("word0 word1")
    assert not marked(shown)


def test_the_cut_never_splits_a_grapheme_cluster() -> None:
    family = "👨\u200d👩\u200d👧"
    accented = "e\u0301"
    text = (family + accented + "字") * 200 + " DPO " + (accented + family + "字") * 200
    shown = plain(snippet(text, "dpo"))
    assert shown in text
    clusters = regex.findall(r"\X", text)
    assert regex.findall(r"\X", shown)[0] in clusters
    assert regex.findall(r"\X", shown)[-1] in clusters


ALPHABET = st.sampled_from(
    [*"注意力模型训练熵", *"abcxyz", " ", "。", "\\", "^", "_", "{", "}", "<", "&", "é", "\u0301"]
)


@given(st.text(ALPHABET, max_size=800), st.text(ALPHABET, min_size=1, max_size=6))
def test_any_text_gives_an_escaped_excerpt_of_itself(text: str, query: str) -> None:
    shown = snippet(text, query)
    assert MARK.sub("", shown).count("<") == 0
    assert shown.count("<mark>") == shown.count("</mark>")
    assert plain(shown) in text
