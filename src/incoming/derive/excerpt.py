"""Excerpts: the opening of an entry, about 350 CJK characters or 60 Latin words long.

Text is weighed, not counted: a wide (CJK) character weighs 1, a Latin word 350/60, so mixed
text gets a fair share of each. Cuts fall only between grapheme clusters and never inside a
word or a formula: at the last sentence end in the final part of the budget if there is one,
else at the last word boundary. Inline formulas are atoms weighed by their TeX length; display
formulas are left out (an excerpt is one run of inline text).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import regex

from incoming.derive.segments import Formula, Segment

BUDGET = 350.0
WORD_WEIGHT = BUDGET / 60
SENTENCE_ZONE = 0.6  # a sentence ending past this share of the budget is where to stop
ELLIPSIS = "…"

_TOKEN = regex.compile(
    r"""
    (?P<space>(?:(?=\s)\X)+)
    | (?P<wide>(?=[\p{ea=W}\p{ea=F}])\X)
    | (?P<chunk>(?:(?![\s\p{ea=W}\p{ea=F}])\X){1,32})
    """,
    regex.VERBOSE,
)
_SENTENCE_END = regex.compile(r"[.!?;。！？；…][\"'”’)）」』]*$")
_DANGLING = " ,，、:：-–—([（「『"
_FULL_STOPS = ".。;；…"

Position = tuple[int, int]  # (segment index, offset in that segment's text)


def _token_weight(kind: str | None, text: str) -> float:
    if kind == "wide":  # combining marks on a wide character add a little
        return 1.0 + (len(text) - 1) / 8
    return WORD_WEIGHT * max(1.0, len(text) / 10)


def _formula_weight(formula: Formula) -> float:
    return WORD_WEIGHT * min(4.0, max(1.0, len(formula.tex) / 10))


def text_weight(text: str) -> float:
    """The weight of plain text by the excerpt's measure."""
    return sum(
        _token_weight(token.lastgroup, token.group())
        for token in _TOKEN.finditer(text)
        if token.lastgroup != "space"
    )


def _cut_position(segments: Sequence[Segment]) -> Position | None:
    """Where the excerpt ends, or None when everything fits."""
    total = 0.0
    sentence_end: Position | None = None
    for index, segment in enumerate(segments):
        if isinstance(segment, Formula):
            if not segment.display:
                total += _formula_weight(segment)
                if total > BUDGET:
                    return sentence_end or (index, 0)
            continue
        for token in _TOKEN.finditer(segment):
            kind = token.lastgroup
            if kind == "space":
                continue
            total += _token_weight(kind, token.group())
            if total > BUDGET:
                return sentence_end or (index, token.start())
            if total >= SENTENCE_ZONE * BUDGET and _SENTENCE_END.search(token.group()):
                sentence_end = (index, token.end())
    return None


def _html(segments: Sequence[Segment], end: Position) -> str:
    """Escaped text and inline formulas up to end, with single spaces where pieces meet."""
    parts: list[str] = []
    last, offset = end
    for index, segment in enumerate(segments[: last + 1]):
        if isinstance(segment, Formula):
            piece = " " if segment.display else segment.html
            piece = "" if index == last else piece
        else:
            piece = escape(segment[:offset] if index == last else segment, quote=False)
        if parts and parts[-1].endswith(" ") and piece.startswith(" "):
            piece = piece[1:]
        if piece:
            parts.append(piece)
    return "".join(parts).strip()


def excerpt_html(segments: Sequence[Segment]) -> str:
    """An HTML fragment (escaped text and inline `<math>`), ending in … only when cut."""
    cut = _cut_position(segments)
    if cut is None:
        return _html(segments, (len(segments), 0))
    # A full stop before the ellipsis reads as "..…": the ellipsis takes its place.
    return _html(segments, cut).rstrip(_DANGLING).rstrip(_FULL_STOPS) + ELLIPSIS
