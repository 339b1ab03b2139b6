"""Snippets and highlights: where the query matched, escaped, with the matches in <mark>.

Matching is done on folded text (as search compares it) and mapped back to the original, so
`ＮＬＰ` in a text is marked for the query `nlp`. A snippet is a window of about
SNIPPET_COLUMNS display columns (a CJK character takes two) around the place where the most
different query words meet. Its ends fall between grapheme clusters, never inside a word of
Latin text if a space is near, and never inside a formula: `content_text` holds formulas as
bare TeX, so any run of TeX-looking chunks around a `\\`, `^`, `_`, `{` or `}` is kept whole.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import accumulate

import regex

from incoming.index.tokens import CJK_CHARACTERS, Piece, fold

SNIPPET_COLUMNS = 220
CONTEXT_BEFORE = 0.3  # share of the window before the first match
CLUSTER_CHARACTERS = 120  # how close matches must be to count as one place
MAX_FORMULA = 400  # a longer TeX run at a window's end is left out rather than taken whole
WORD_SNAP = 24  # how far an end may move to reach a space
SCAN_CHARACTERS = 8192  # text is searched for matches this much at a time
SCAN_OVERLAP = 128  # and this much of what stands around it
SYNC = 32  # grapheme clusters are read this far around a cut to find its boundary
ELLIPSIS = "…"

_GRAPHEME = regex.compile(r"\X")
# Characters that are always a grapheme cluster of their own: printable ASCII, CJK ideographs
# and punctuation, full-width forms (a cut between two of them needs no cluster search).
_ALONE = re.compile("[\x20-\x7e\u3000-\u3029\u3030-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]")
# A formula in plain text: a run of chunks (runs of non-space) holding a TeX sign, with the
# short ASCII chunks and symbol runs that sit between its parts (x = y + 1, (a, b)) around them.
_TEX_SIGN = re.compile(r"[\\^_{}]")
_TEX_CHUNK = r"(?<!\S)\S*[\\^_{}]\S*(?!\S)"
_FILLER_CHUNK = r"(?<!\S)(?:[\x21-\x7e]{1,3}|[^\w\s]+)(?!\S)"
_FORMULA = re.compile(
    f"(?:{_FILLER_CHUNK}\\s+)*{_TEX_CHUNK}(?:\\s+(?:{_TEX_CHUNK}|{_FILLER_CHUNK}))*"
)
_WORD_CHARACTER = re.compile(f"[^\\W_{CJK_CHARACTERS}]")


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    needle: int


class _FoldTable(dict[int, str]):
    """A `str.translate` table from each character to `fold` of it, or to chr(the length of
    that) with `lengths`; it fills itself as characters are met (Unicode bounds its size)."""

    def __init__(self, *, lengths: bool) -> None:
        super().__init__()
        self.lengths = lengths

    def __missing__(self, code: int) -> str:
        folded = fold(chr(code))
        self[code] = chr(len(folded)) if self.lengths else folded
        return self[code]


_FOLDS = _FoldTable(lengths=False)
_FOLD_LENGTHS = _FoldTable(lengths=True)
_NOT_ONE = re.compile("[^\x01]")


def _folded(text: str) -> tuple[str, list[int] | None]:
    """Folded text, and the original offset of each folded character (None: the same).

    Where folding changes the length (… becomes ..., ½ becomes 1⁄2), the text is folded one
    character at a time (in C, by `str.translate`), and only the characters whose length
    changes are visited in Python.
    """
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    offsets: list[int] = []
    done = 0
    for changed in _NOT_ONE.finditer(text.translate(_FOLD_LENGTHS)):
        position = changed.start()
        offsets.extend(range(done, position))
        offsets.extend([position] * ord(changed.group()))
        done = position + 1
    offsets.extend(range(done, len(text)))
    return text.translate(_FOLDS), offsets


def _pattern(needles: Sequence[Piece], *, as_typed: bool = False) -> re.Pattern[str] | None:
    """One alternation of the needles, longest first; as_typed, for unfolded text (see
    `_typed`). Whether a word match stands alone is checked on each match (`_found`):
    lookarounds with the CJK class in them would take milliseconds to compile, and every query
    has a pattern of its own."""
    bodies = sorted(
        (
            (
                len(needle.text),
                f"(?P<n{index}>{_typed(needle.text) if as_typed else re.escape(needle.text)})",
            )
            for index, needle in enumerate(needles)
        ),
        reverse=True,
    )
    if not bodies:
        return None
    return re.compile("|".join(body for _, body in bodies), re.IGNORECASE if as_typed else 0)


def _typed(folded: str) -> str:
    """A pattern for folded text as a text may hold it: in any case, ASCII also full-width."""
    parts = []
    for char in folded:
        if "!" <= char <= "~":
            forms = {char, char.upper(), chr(ord(char) + 0xFEE0), chr(ord(char.upper()) + 0xFEE0)}
            parts.append("[" + "".join(re.escape(form) for form in sorted(forms)) + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No letter or digit of a word continues the match on either side (as the tokenizer cuts)."""
    if start > 0 and _is_word_character(text[start - 1]):
        return False
    return not (end < len(text) and _is_word_character(text[end]))


def _found(
    searched: str, offsets: list[int] | None, needles: Sequence[Piece], pattern: re.Pattern[str]
) -> list[_Match]:
    """Where pattern matches in searched, by offsets in the original text (None: the same)."""
    found = []
    for match in pattern.finditer(searched):
        start, end = match.span()
        needle = int(match.lastgroup[1:])  # type: ignore[index]
        if not needles[needle].is_cjk and not _stands_alone(searched, start, end):
            continue
        if offsets is not None:
            start, end = offsets[start], offsets[end - 1] + 1
        found.append(_Match(start, end, needle))
    return found


class _Needles:
    """A query's needles with their patterns, made once for all the texts of its hits."""

    def __init__(self, needles: Sequence[Piece]) -> None:
        self.needles = needles
        self.typed = _pattern(needles, as_typed=True)
        self._folded: re.Pattern[str] | None = None

    @property
    def folded(self) -> re.Pattern[str]:
        if self._folded is None:
            self._folded = _pattern(self.needles)
            assert self._folded is not None
        return self._folded

    def matches(self, text: str) -> list[_Match]:
        """Where the needles occur in text, in order, not overlapping.

        The text is first searched as it is, for the needles in any case and width, all in
        C; folding it (NFKC, what a snippet would otherwise spend its time on) is needed only
        where that finds nothing: a match that only folding reveals (ﬁ for fi, ß for ss), or
        none.
        """
        if self.typed is None or not text:
            return []
        return _found(text, None, self.needles, self.typed) or self._folded_matches(text)

    def _folded_matches(self, text: str) -> list[_Match]:
        """The matches of folded text, read SCAN_CHARACTERS at a time until every needle is
        met: a long article has its place early on."""
        found: list[_Match] = []
        for start in range(0, len(text), SCAN_CHARACTERS):
            stop = start + SCAN_CHARACTERS
            # Read a little on either side, so that words are judged whole across the seams.
            first = max(0, start - SCAN_OVERLAP)
            folded, offsets = _folded(text[first : stop + SCAN_OVERLAP])
            for match in _found(folded, offsets, self.needles, self.folded):
                match = _Match(match.start + first, match.end + first, match.needle)
                if start <= match.start < stop and (not found or match.start >= found[-1].end):
                    found.append(match)
            if len({match.needle for match in found}) == len(self.needles):
                break
        return found


def _marked(text: str, matches: Sequence[_Match], start: int, end: int) -> str:
    parts: list[str] = []
    done = start
    for match in matches:
        first, last = max(match.start, done), min(match.end, end)
        if first >= last:
            continue
        parts.append(escape(text[done:first], quote=False))
        parts.append(f"<mark>{escape(text[first:last], quote=False)}</mark>")
        done = last
    parts.append(escape(text[done:end], quote=False))
    return "".join(parts)


def _best_place(matches: Sequence[_Match]) -> int:
    """Index of the match starting the cluster with the most different needles (then matches)."""
    best, best_key = 0, (0, 0)
    in_cluster: Counter[int] = Counter()
    last = 0
    for first, match in enumerate(matches):
        while last < len(matches) and matches[last].start - match.start <= CLUSTER_CHARACTERS:
            in_cluster[matches[last].needle] += 1
            last += 1
        key = (len(in_cluster), last - first)
        if key > best_key:
            best, best_key = first, key
        in_cluster[match.needle] -= 1
        if not in_cluster[match.needle]:
            del in_cluster[match.needle]
    return best


class _ColumnTable(dict[int, str]):
    """A `str.translate` table from each character to chr(its display columns): 2 for wide
    characters, 0 for marks and format characters (they join the cluster before them), else 1.
    It fills itself as characters are met; Unicode bounds its size."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            columns = 0
        else:
            columns = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        self[code] = chr(columns)
        return self[code]


_COLUMNS = _ColumnTable()


def _running_columns(text: str) -> Sequence[int]:
    """Columns taken by text[:1], text[:2], ... (counted in C: translate, map, accumulate;
    ASCII text, which Python knows at once, takes one column a character)."""
    if text.isascii():
        return range(1, len(text) + 1)
    return list(accumulate(map(ord, text.translate(_COLUMNS))))


def _cluster_edge(text: str, position: int, *, forward: bool) -> int:
    """The grapheme cluster boundary at position, else the next (forward) or previous one."""
    if not 0 < position < len(text):
        return position
    if _ALONE.match(text[position - 1]) and _ALONE.match(text[position]):
        return position
    starts = [
        m.start()
        for m in _GRAPHEME.finditer(text, max(0, position - SYNC), min(len(text), position + SYNC))
    ]
    if position in starts:
        return position
    if forward:
        return next((start for start in starts if start > position), position)
    return max((start for start in starts if start < position), default=position)


def _window(text: str, anchor: int) -> tuple[int, int]:
    """About SNIPPET_COLUMNS columns around anchor, cut between grapheme clusters."""
    before = SNIPPET_COLUMNS * CONTEXT_BEFORE
    behind = _running_columns(text[max(0, anchor - round(2 * before)) : anchor][::-1])
    taken = bisect_right(behind, before)
    used = behind[taken - 1] if taken else 0
    ahead = _running_columns(text[anchor : anchor + 2 * SNIPPET_COLUMNS])
    start = _cluster_edge(text, anchor - taken, forward=True)
    end = anchor + bisect_right(ahead, SNIPPET_COLUMNS - used)
    return start, _cluster_edge(text, end, forward=False)


def _formulas(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Spans of TeX-looking chunk runs in text[start:stop] that hold a TeX sign."""
    if not _TEX_SIGN.search(text, start, stop):  # most text has none: skip the slower pattern
        return []
    return [match.span() for match in _FORMULA.finditer(text, start, stop)]


def _is_word_character(char: str) -> bool:
    return _WORD_CHARACTER.fullmatch(char) is not None


def _snap(text: str, position: int, *, forward: bool) -> int:
    """Move a cut off the middle of a Latin word, to the nearest space within WORD_SNAP."""
    if not (0 < position < len(text)):
        return position
    if not (_is_word_character(text[position - 1]) and _is_word_character(text[position])):
        return position
    step = 1 if forward else -1
    for moved in range(1, WORD_SNAP):
        candidate = position + step * moved
        if not 0 < candidate < len(text):
            return max(0, min(candidate, len(text)))
        if text[candidate].isspace() or text[candidate - 1].isspace():
            return candidate
    return position


def _keep_whole(text: str, start: int, end: int, matches: Sequence[_Match]) -> tuple[int, int]:
    """Widen the window to whole matches and formulas; a long formula away from the best match
    is left out instead."""
    anchor = matches[0] if matches else None
    atoms = [(m.start, m.end, True) for m in matches]
    region = (max(0, start - MAX_FORMULA), min(len(text), end + MAX_FORMULA))
    for first, last in _formulas(text, *region):
        holds_anchor = anchor is not None and first < anchor.end and anchor.start < last
        atoms.append((first, last, holds_anchor or last - first <= MAX_FORMULA))
    for first, last, keep in atoms:
        if first < start < last:
            start = first if keep else last
        if first < end < last:
            end = last if keep else first
    return start, max(start, end)


class Highlighter:
    """Highlighted titles and snippets for the hits of one query."""

    def __init__(self, needles: Sequence[Piece]) -> None:
        self._needles = _Needles(needles)

    def highlight_html(self, text: str) -> str:
        """The whole text escaped, with every match in <mark> (for titles)."""
        return _marked(text, self._needles.matches(text), 0, len(text))

    def snippet_html(self, text: str) -> str:
        """A window of text around the best place the needles match, escaped, matches in
        <mark>. Without a match in the text (the title matched, say), the window is the text's
        beginning."""
        matches = self._needles.matches(text)
        anchor = matches[_best_place(matches)] if matches else _Match(0, 0, -1)
        start, end = _window(text, anchor.start)
        start = _snap(text, start, forward=start < anchor.start)
        end = _snap(text, end, forward=end < anchor.end)
        near = [m for m in matches if m.start < end + MAX_FORMULA and m.end > start - MAX_FORMULA]
        start, end = _keep_whole(text, start, end, [anchor, *near] if matches else [])
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        body = _marked(text, matches, start, end)
        return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")
