"""Properties over arbitrary input: clean_html never raises and never lets anything act."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from incoming.clean import clean_html
from tests.clean.inert import active_content
from tests.clean.strategies import ANY_INPUT


@settings(max_examples=200, deadline=None)
@given(raw=ANY_INPUT, base=st.sampled_from([None, "https://b.example/p/"]))
def test_clean_html_never_raises_and_leaves_nothing_active(raw, base):
    cleaned = clean_html(raw, base)
    assert active_content(cleaned) == []
