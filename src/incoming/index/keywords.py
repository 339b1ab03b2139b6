"""An article's keywords: its most frequent content tokens, kept for related articles.

Only term frequency is known when an article is indexed; how rare each keyword is across the
store is measured when related articles are asked for (see `related`). Function words, TeX
commands and CJK bigrams holding a function character are skipped here so that they do not
take the places of the words that tell articles apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from incoming.index.tokens import MARKER

KEYWORDS_PER_ARTICLE = 16
TITLE_WEIGHT = 3  # a title token counts as this many occurrences
# Looked at, most frequent first, to find KEYWORDS_PER_ARTICLE that are not skipped.
_CANDIDATES = 4 * KEYWORDS_PER_ARTICLE

_ENGLISH_FUNCTION_WORDS = """
    a about after all also an and any are as at be been before being between both but by can
    could did do does each even for from had has have how however if in into is it its just may
    more most much must new no not of on one only or other our out over same should since so
    some such than that the their them then there these they this those through to two under up
    use used uses using very via was we were what when where whether which while who why will
    with within without would yet you your
"""
# TeX that formulas leave in the text
_TEX_WORDS = """
    begin bar boldsymbol cdot cdots dots end exp frac hat int ldots left log mathbb mathbf
    mathcal mathrm max min operatorname qquad quad right sqrt sum text tilde top
"""
_FUNCTION_WORDS = frozenset(_ENGLISH_FUNCTION_WORDS.split()) | frozenset(_TEX_WORDS.split())
_FUNCTION_CHARACTERS = frozenset(
    "的了是在和与及或也就都而但我你他她它们这那个中为以从到对把被等之其有不一上下可会能要将于并"
    "很所如则该此每各又还着过地得再因么什吗呢啊の은는이가을를에의はがをにでともたてすない"
)


def _is_content(token: str) -> bool:
    if token in _FUNCTION_WORDS or token == MARKER or token.isdigit():
        return False
    if len(token) <= 2 and token.isascii():
        return False
    return len(token) > 1 and _FUNCTION_CHARACTERS.isdisjoint(token[:2])


def keywords(title_tokens: Sequence[str], body_tokens: Sequence[str]) -> list[str]:
    """Up to KEYWORDS_PER_ARTICLE content tokens, most frequent first (titles count more)."""
    counts = Counter(body_tokens)
    for token in title_tokens:
        counts[token] += TITLE_WEIGHT
    found: list[str] = []
    for token, _ in counts.most_common(_CANDIDATES):
        if _is_content(token):
            found.append(token)
            if len(found) == KEYWORDS_PER_ARTICLE:
                break
    return found
