"""The one tokenizer of search, for both databases, for articles and queries alike.

Text is folded (NFKC, then casefold) and cut into pieces: runs of CJK characters, and words
(runs of other letters and digits; everything else separates). The *words stream* holds the
words and, for each CJK run, its overlapping bigrams (a one-character run as itself), so a CJK
string of two or more characters is found as the phrase of its bigrams. Between two CJK runs
that only punctuation or space separates, the stream holds MARKER, so such a phrase never
matches across the end of a run ("注意。意力" does not contain "注意力"). The *chars stream*
holds every distinct CJK character, so single characters are found too. The *pairs stream*
holds each two neighbouring tokens of the words stream, joined by JOINER (MARKER pairs with
nothing): a phrase of common words ("the model", or "深度学习" whose bigrams 深度 度学 学习
each fill a tenth of an ML collection) is found through its pairs' short lists instead of
checking it in every article holding all its tokens; a three-character CJK word or a phrase of
two words is its one pair.

Both streams are stored as space-separated token strings: the databases only split them on
spaces, so SQLite and PostgreSQL index exactly the same tokens. The loop is linear, and the
per-character work is done by `re` and C-level `map`, so tokenizing costs a few hundred
microseconds for a 4 KB article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import add

# Han (with 々〆〇 and the radicals), kana, bopomofo and hangul: scripts written without spaces
# between words (hangul has spaces, but its words are found by their syllables all the same).
CJK_CHARACTERS = (
    "\u1100-\u11ff\u2e80-\u2eff\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3041-\u3096"
    "\u3099\u309a\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3105-\u312f\u3131-\u318e"
    "\u31a0-\u31bf\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af"
    "\ud7b0-\ud7ff\uf900-\ufaff\U0001b000-\U0001b16f\U00020000-\U0003134f"
)
# Group 1: a CJK run; group 2: a word (a letter or digit that is not CJK, `_` separates).
_PIECES = re.compile(f"([{CJK_CHARACTERS}]+)|([^\\W_{CJK_CHARACTERS}]+)")

# A compatibility ideograph: NFKC maps it to U+8C48, so folded text never contains it.
MARKER = "\uf900"
# Joins the two tokens of a pair: neither a word character nor CJK, so no token holds it, and
# not ASCII, so FTS5's ascii tokenizer keeps a pair whole.
JOINER = "\uf8ff"
# Longer words are cut to this many characters (PostgreSQL refuses lexemes over 2 KB).
MAX_WORD_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Piece:
    """A word, or a run of CJK characters, of folded text."""

    text: str
    is_cjk: bool


def fold(text: str) -> str:
    """NFKC (full- and half-width forms, ligatures) then casefold: how search compares text."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def pieces(folded: str) -> list[Piece]:
    return [
        Piece(cjk, True) if cjk else Piece(word[:MAX_WORD_LENGTH], False)
        for cjk, word in _PIECES.findall(folded)
    ]


def word_tokens(folded: str) -> tuple[list[str], list[str]]:
    """The words stream of folded text, and its CJK runs (for the chars stream)."""
    tokens: list[str] = []
    runs: list[str] = []
    after_cjk = False
    for cjk, word in _PIECES.findall(folded):
        if cjk:
            if after_cjk:
                tokens.append(MARKER)
            if len(cjk) > 1:
                tokens.extend(map(add, cjk, cjk[1:]))
            else:
                tokens.append(cjk)
            runs.append(cjk)
            after_cjk = True
        else:
            tokens.append(word[:MAX_WORD_LENGTH])
            after_cjk = False
    return tokens, runs


def distinct_chars(runs: Sequence[str]) -> list[str]:
    """The chars stream: each CJK character once, in order of first appearance."""
    return list(dict.fromkeys("".join(runs)))


def pair_tokens(tokens: Sequence[str]) -> list[str]:
    """The pairs stream of a words stream: each token joined to the next (MARKER to none)."""
    return [pair for pair in map(JOINER.join, pairwise(tokens)) if MARKER not in pair]
