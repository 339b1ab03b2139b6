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
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import regex

from incoming.index.tokens import CJK_CHARACTERS, Piece, fold

SNIPPET_COLUMNS = 220
CONTEXT_BEFORE = 0.3  # share of the window before the first match
CLUSTER_CHARACTERS = 120  # how close matches must be to count as one place
MAX_FORMULA = 400  # a longer TeX run at a window's end is left out rather than taken whole
WORD_SNAP = 24  # how far an end may move to reach a space
ELLIPSIS = "…"

_GRAPHEME = regex.compile(r"\X")
_CHUNK = re.compile(r"\S+")
_TEX_SIGN = re.compile(r"[\\^_{}]")
# Short ASCII chunks and symbol runs sit between the parts of a formula: x = y + 1, (a, b).
_TEX_FILLER = re.compile(r"[\x21-\x7e]{1,3}|[^\w\s]+")
_WORD_EDGE = f"[^\\W_{CJK_CHARACTERS}]"


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    needle: int


def _folded(text: str) -> tuple[str, list[int] | None]:
    """Folded text, and the original offset of each folded character (None: the same)."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    offsets: list[int] = []
    parts: list[str] = []
    for index, char in enumerate(text):
        part = fold(char)
        parts.append(part)
        offsets.extend([index] * len(part))
    return "".join(parts), offsets


def _pattern(needles: Sequence[Piece]) -> re.Pattern[str] | None:
    alternatives = []
    for index, needle in enumerate(needles):
        body = re.escape(needle.text)
        if not needle.is_cjk:  # a word matches whole, as the tokenizer cut it
            body = f"(?<!{_WORD_EDGE}){body}(?!{_WORD_EDGE})"
        alternatives.append((len(needle.text), f"(?P<n{index}>{body})"))
    if not alternatives:
        return None
    return re.compile("|".join(body for _, body in sorted(alternatives, reverse=True)))


def _matches(text: str, needles: Sequence[Piece]) -> list[_Match]:
    """Where the needles occur in text (original offsets), in order, not overlapping."""
    pattern = _pattern(needles)
    if pattern is None or not text:
        return []
    folded, offsets = _folded(text)
    found = []
    for match in pattern.finditer(folded):
        start, end = match.span()
        if offsets is not None:
            start, end = offsets[start], offsets[end - 1] + 1
        found.append(_Match(start, end, int(match.lastgroup[1:])))  # type: ignore[index]
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


def highlight_html(text: str, needles: Sequence[Piece]) -> str:
    """The whole text escaped, with every match in <mark> (for titles)."""
    return _marked(text, _matches(text, needles), 0, len(text))


def _width(grapheme: str) -> int:
    return 2 if unicodedata.east_asian_width(grapheme[0]) in "WF" else 1


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


def _window(text: str, anchor: int) -> tuple[int, int]:
    """About SNIPPET_COLUMNS columns around anchor, cut between grapheme clusters."""
    before = SNIPPET_COLUMNS * CONTEXT_BEFORE
    region = text[max(0, anchor - 2 * SNIPPET_COLUMNS) : anchor]
    start, used = anchor, 0
    for grapheme in reversed(_GRAPHEME.findall(region)):
        if used + _width(grapheme) > before:
            break
        used += _width(grapheme)
        start -= len(grapheme)
    end = anchor
    for grapheme in _GRAPHEME.finditer(text, anchor):
        if used + _width(grapheme.group()) > SNIPPET_COLUMNS:
            break
        used += _width(grapheme.group())
        end = grapheme.end()
    return start, end


def _formulas(text: str, start: int, stop: int) -> list[tuple[int, int]]:
    """Spans of TeX-looking chunk runs in text[start:stop] that hold a TeX sign."""
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        if any(_TEX_SIGN.search(chunk.group()) for chunk in run):
            spans.append((run[0].start(), run[-1].end()))
        run.clear()

    for chunk in _CHUNK.finditer(text, start, stop):
        word = chunk.group()
        if _TEX_SIGN.search(word) or _TEX_FILLER.fullmatch(word):
            run.append(chunk)
        else:
            close()
    close()
    return spans


def _is_word_character(char: str) -> bool:
    return re.fullmatch(_WORD_EDGE, char) is not None


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


def snippet_html(text: str, needles: Sequence[Piece]) -> str:
    """A window of text around the best place the needles match, escaped, matches in <mark>.

    Without a match in the text (the title matched, say), the window is the text's beginning.
    """
    matches = _matches(text, needles)
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
