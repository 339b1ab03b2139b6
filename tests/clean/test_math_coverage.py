"""The coverage corpus converts: real formulas (shared corpus, demo) and the ML constructs we list.

A formula either becomes MathML with nothing of its TeX showing through, or stays whole as TeX
code; never half-converted. `bench/math.py` reports the same counts per converter.
"""

from __future__ import annotations

import re

import pytest

from incoming.clean import clean_html, latex_to_mathml
from incoming.parse.markdown import render_markdown
from tests.clean.inert import active_content
from tests.support.formulas import corpus_formulas, own_cases, tex_leaks

OWN = own_cases()
ENVIRONMENTS = [
    *("aligned", "align*", "gathered", "cases", "matrix", "pmatrix", "bmatrix", "vmatrix"),
    *("array", "split", "multline", "tag"),
]
# TeX math-core does not read and KaTeX does: `\substack` and `smallmatrix` stay TeX code.
OWN_KEPT_AS_TEX = {"stacked", "smallmatrix"}


def converted(tex: str, display: bool) -> str | None:
    """The MathML of tex; None when it stays TeX code. Fails on half-converted output."""
    mathml = latex_to_mathml(tex, display=display)
    assert active_content(mathml) == []
    if mathml.startswith("<code"):
        return None
    assert tex_leaks(tex, mathml) == [], tex
    return mathml


@pytest.mark.corpus
def test_every_corpus_formula_converts_or_stays_tex(corpus):
    formulas = list(dict.fromkeys(corpus_formulas(corpus)))
    assert len(formulas) > 900  # notes, pages and feeds all contributed
    kept_as_tex = [tex for tex, display in formulas if converted(tex, display) is None]
    # One: `" and end with "\)" or "`, prose from a page about delimiters, not TeX.
    assert len(kept_as_tex) <= 1, kept_as_tex


@pytest.mark.parametrize("name", OWN.keys())
def test_own_ml_constructs_convert(name):
    tex, display = OWN[name]
    mathml = converted(tex, display)
    assert (mathml is None) == (name in OWN_KEPT_AS_TEX)


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_environments_keep_their_rows_and_cells(name):
    mathml = converted(*OWN[name])
    assert mathml is not None
    assert "<mtable" in mathml
    rows = re.findall(r"<mtr>(.*?)</mtr>", mathml.split("<annotation")[0])
    assert rows
    assert all("<mtd" in row for row in rows)
    multi_row = name not in ("split", "tag")
    assert len(rows) >= 2 or not multi_row


def test_aligned_columns_meet_at_the_relation():
    mathml = converted(*OWN["aligned"])
    assert re.search(r'<mtd columnalign="right">.*?</mtd><mtd columnalign="left"><mo>=', mathml)


def test_cases_columns_are_left_aligned():
    mathml = converted(*OWN["cases"])
    cells = re.findall(r"<mtd[^>]*>", mathml)
    assert len(cells) == 4
    assert set(cells) == {'<mtd columnalign="left">'}


def test_function_names_are_spaced_from_their_argument():
    mathml = converted(r"\cos m\theta", False)
    # After `cos`, a positive space before `m`: TeX's thin space after an operator name.
    assert re.search(
        r'<mi>cos</mi>(?:</mrow>)*(?:<mo lspace="0\.\d+em">\u2061</mo>|<mspace width="0\.\d+em">)'
        r"(?:</mspace>)?<mi>m</mi>",
        mathml,
    ), mathml


def test_mathop_and_operatorname_leave_no_tex():
    for name in ("mathop", "operatorname", "limits"):
        mathml = converted(*OWN[name])
        assert "arg" in mathml or "Attention" in mathml or "∑" in mathml


def test_primes_are_raised_once():
    """The prime glyph is a raised glyph: after a token it follows it, not in a superscript
    (which Chromium draws higher and smaller again); on a subscripted token it stays a script."""
    mathml = converted("f'(x) + g'' + f'_i", False)
    assert mathml.count("′") == 2
    assert mathml.count("″") == 1
    assert "<msup>" not in mathml
    assert "<mrow><mi>f</mi><mo>′</mo></mrow>" in mathml
    assert "<mrow><mi>g</mi><mo>″</mo></mrow>" in mathml


def test_a_slash_is_not_spaced_as_an_operator():
    mathml = converted(r"a/b", False)
    assert '<mo lspace="0" rspace="0">/</mo>' in mathml


def test_display_and_inline_modes_and_annotation_are_kept():
    tex = r"\begin{aligned} a &< b \end{aligned}"
    block = converted(tex, True)
    inline = converted(tex, False)
    assert block.startswith('<math display="block"><semantics><mrow>')
    assert inline.startswith('<math display="inline"><semantics><mrow>')
    annotation = r'<annotation encoding="application/x-tex">\begin{aligned} a &amp;&lt; b'
    assert annotation in block


NOTE_WITH_MACROS = r"""# Notation

$$\newcommand{\vx}{\mathbf{x}} \def\E{\mathbb{E}} p(\vx)$$

The loss is $\E_{\vx}[\ell(\vx)]$, and $\vx \in \mathbb{R}^d$.
"""


def test_macros_a_note_defines_hold_for_its_later_formulas_only():
    cleaned = clean_html(render_markdown(NOTE_WITH_MACROS))
    assert "math-tex" not in cleaned  # every formula converted, the uses included
    assert cleaned.count("<mi>𝐱</mi>") == 4
    assert "<mi>𝔼</mi>" in cleaned
    # Another entry does not see them: its `\vx` stays TeX.
    assert 'class="math-tex"' in clean_html(r"<p>\(\vx\)</p>")
