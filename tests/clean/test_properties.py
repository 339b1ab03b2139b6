"""Properties over arbitrary input: cleaning and TeX conversion never raise, nothing acts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from incoming.clean import clean_html, latex_to_mathml
from tests.clean.inert import active_content
from tests.clean.strategies import ANY_INPUT
from tests.hostile.vectors import VECTORS
from tests.support.fuzz import budget


@budget(200)
@given(raw=ANY_INPUT, base=st.sampled_from([None, "https://b.example/p/"]))
def test_clean_html_never_raises_and_leaves_nothing_active(raw, base):
    cleaned = clean_html(raw, base)
    assert active_content(cleaned) == []


TEX_PIECES = [
    *("x", "^", "_", "{", "}", "\\frac", "\\sqrt", "[", "]", "\\left(", "\\right)", "&", "\\\\"),
    *("\\begin{matrix}", "\\end{matrix}", "\\underbrace", "\\overbrace", "\\text{", "\\mathrm{"),
    *("\\href{javascript:alert(1)}", "\\url{", "\\style{color:red}", "\\class{x}", "<", ">"),
    *("\\def\\a{\\a\\a}", "\\newcommand", "\\color{red}", "%", "#1", "~", "\\,", "\\hat", "字"),
]
TEX = st.one_of(
    st.text(max_size=60), st.lists(st.sampled_from(TEX_PIECES), max_size=60).map("".join)
)


@budget(200)
@given(tex=TEX, display=st.booleans())
def test_tex_conversion_never_raises_and_leaves_nothing_active(tex, display):
    mathml = latex_to_mathml(tex, display=display)
    assert active_content(mathml) == []
    assert mathml.startswith(("<math", '<code class="math-tex">'))
    assert " href=" not in mathml


@budget(100)
@given(vectors=st.lists(st.sampled_from(VECTORS), min_size=1, max_size=8), glue=ANY_INPUT)
def test_any_mix_of_our_vectors_is_cleaned_inert(vectors, glue):
    assert active_content(clean_html(glue.join(vectors), "https://b.example/p/")) == []
