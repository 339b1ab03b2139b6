"""A cheap guess of an entry's language from the scripts its text is written in."""

from __future__ import annotations

import regex

_SAMPLE = 800  # characters: the opening says enough, and keeps the guess cheap
_SCRIPTS = regex.compile(
    r"(?P<han>\p{Han})|(?P<kana>[\p{Hiragana}\p{Katakana}])|(?P<hangul>\p{Hangul})"
    r"|(?P<latin>\p{Latin}+)|(?P<other>\p{L}+)"
)
_WORD_WEIGHT = 1.5  # a word of an alphabetic script carries about as much as 1.5 Han characters
_CJK_SHARE = 0.25  # English rarely has this much CJK in it; Chinese often has English terms
_LATIN_SHARE = 0.7
_MINIMUM = 2.0


def guess_language(text: str) -> str | None:
    """ "zh", "ja", "ko" or "en" from the script mix, or None for empty or ambiguous text."""
    counts = {"han": 0, "kana": 0, "hangul": 0, "latin": 0, "other": 0}
    for match in _SCRIPTS.finditer(text[:_SAMPLE]):
        counts[match.lastgroup or "other"] += 1
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    latin = counts["latin"] * _WORD_WEIGHT
    total = cjk + latin + counts["other"] * _WORD_WEIGHT
    if total < _MINIMUM:
        return None
    if cjk >= _CJK_SHARE * total:
        if counts["kana"] >= 0.1 * cjk:
            return "ja"
        return "ko" if counts["hangul"] >= 0.5 * cjk else "zh"
    return "en" if latin >= _LATIN_SHARE * total else None
