"""Excerpts: the budget, where cuts fall, formulas as atoms, and … only when cut."""

from __future__ import annotations

import html

import pytest
import regex

from incoming.clean import clean_html
from incoming.derive import derive_text
from incoming.derive.excerpt import BUDGET, text_weight


def excerpt(text: str) -> str:
    return derive_text(f"<p>{html.escape(text)}</p>").excerpt_html


def words(count: int) -> str:
    return " ".join(f"word{i}" for i in range(count))


def test_short_text_is_whole_without_ellipsis():
    assert excerpt("A short summary.") == "A short summary."
    assert excerpt("短短的一句话。") == "短短的一句话。"


def test_latin_is_cut_at_about_sixty_words():
    cut = excerpt(words(200))
    assert cut.endswith("…")
    assert len(cut[:-1].split()) == 60
    assert cut == words(60) + "…"


def test_cjk_is_cut_at_about_350_characters():
    cut = excerpt("字" * 1000)
    assert cut == "字" * 350 + "…"


def test_mixed_text_weighs_both():
    # 30 words take half the budget, so 175 CJK characters fill the rest.
    cut = excerpt(words(30) + " " + "字" * 500)
    assert cut == words(30) + " " + "字" * 175 + "…"


def test_cut_prefers_a_sentence_end_late_in_the_budget():
    text = "这是第一句话。" * 45 + "没有句号的很长的一段" * 20  # sentence ends every 7 characters
    cut = excerpt(text)
    assert cut.endswith("这是第一句话…")  # the ellipsis takes the full stop's place
    assert 0.6 * BUDGET <= len(cut) <= BUDGET


@pytest.mark.parametrize("end", ["!", "?", "！", "？"])
def test_each_sentence_end_counts(end):
    text = "字" * 300 + end + "字" * 300
    assert excerpt(text) == "字" * 300 + end + "…"


@pytest.mark.parametrize("end", [".", ";", "。", "；"])
def test_a_full_stop_gives_way_to_the_ellipsis(end):
    text = "字" * 300 + end + "字" * 300
    assert excerpt(text) == "字" * 300 + "…"


def test_an_early_sentence_end_is_ignored_for_a_word_boundary():
    text = "Short. " + words(100)
    cut = excerpt(text)
    assert cut.startswith("Short. word0")
    assert len(cut.split()) == 60


def test_cut_never_falls_inside_a_latin_word():
    text = "字" * 347 + " internationalization and more"
    assert excerpt(text) == "字" * 347 + "…"


def test_cut_never_splits_a_zwj_emoji_or_combining_marks():
    family = "👨\u200d👩\u200d👧\u200d👦"
    for cluster in (family, "e\u0301\u0302", "字\u0301"):
        text = "字" * 349 + cluster + "字" * 10
        cut = excerpt(text)[:-1]
        boundaries = {match.end() for match in regex.finditer(r"\X", text)}
        assert len(cut) in boundaries


def test_dangling_punctuation_is_dropped_before_the_ellipsis():
    text = "字" * 349 + "，" + "字" * 10
    assert excerpt(text) == "字" * 349 + "…"


def test_inline_formulas_are_atoms():
    clean = clean_html(r"<p>" + "字" * 345 + r" \(\frac{a}{b} + c\) tail</p>")
    cut = derive_text(clean).excerpt_html
    assert cut == "字" * 345 + "…"  # the formula does not fit: it is left out whole
    clean = clean_html(r"<p>字 \(x^2\) 字</p>")
    assert derive_text(clean).excerpt_html == (
        '字 <math display="inline"><semantics><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow>'
        '<annotation encoding="application/x-tex">x^2</annotation></semantics></math> 字'
    )


def test_display_formulas_are_left_out():
    clean = clean_html(r"<p>Before</p><p>\[\sum_i a_i\]</p><p>after.</p>")
    assert derive_text(clean).excerpt_html == "Before after."


def test_excerpt_is_escaped_inline_html():
    clean = clean_html("<h1>A &lt;tag&gt; &amp; more</h1><ul><li><b>bold</b></li></ul>")
    assert derive_text(clean).excerpt_html == "A &lt;tag&gt; &amp; more bold"


def test_weight_of_text():
    assert text_weight("字字") == 2
    assert text_weight("two words") == pytest.approx(2 * BUDGET / 60)
