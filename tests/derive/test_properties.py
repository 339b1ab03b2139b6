"""Properties over arbitrary text: excerpts stay in budget, are prefixes, never split graphemes."""

from __future__ import annotations

import html

import regex
from hypothesis import given
from hypothesis import strategies as st

from incoming.clean import clean_html
from incoming.derive import derive_text
from incoming.derive.excerpt import BUDGET, ELLIPSIS, text_weight
from tests.clean.strategies import ANY_INPUT
from tests.support.fuzz import budget

PIECES = [
    *("字", "注意力", "。", "，", "！", "a", "word", "internationalization", " ", "  ", "\n"),
    *(".", "!", "?", ";", "e\u0301", "\u0301", "👨\u200d👩\u200d👧", "🇨🇳", "👍🏽", "ＡＢ"),
    *("<", "&", '"', "한국어", "カタカナ", "\u200b", "\t", "—", "(", "字\u0301\u0302"),
]
texts = st.one_of(
    st.text(alphabet=st.characters(exclude_characters=ELLIPSIS)),
    st.lists(st.sampled_from(PIECES), max_size=400).map("".join),
)


@budget(200)
@given(text=texts)
def test_excerpt_is_a_bounded_prefix_cut_between_graphemes(text):
    derived = derive_text(f"<p>{html.escape(text)}</p>")
    plain = html.unescape(derived.excerpt_html)
    assert "<" not in derived.excerpt_html.replace("&lt;", "")  # no markup from text
    if plain.endswith(ELLIPSIS):
        kept = plain[: -len(ELLIPSIS)]
        assert derived.text.startswith(kept)
        boundaries = {0} | {match.end() for match in regex.finditer(r"\X", derived.text)}
        assert len(kept) in boundaries
        assert text_weight(kept) <= BUDGET
        assert len(kept) <= 10 * BUDGET
    else:
        assert plain == derived.text


@budget(200)
@given(text=texts)
def test_text_has_no_control_characters_and_no_runs_of_spaces(text):
    derived = derive_text(f"<p>{html.escape(text)}</p>")
    assert not regex.search(r"[\p{Cc}]", derived.text)
    assert "  " not in derived.text
    assert derived.text == derived.text.strip()


@budget(100)
@given(raw=ANY_INPUT)
def test_derive_text_never_raises_on_clean_output(raw):
    derived = derive_text(clean_html(raw))
    assert "<script" not in derived.excerpt_html.lower()
