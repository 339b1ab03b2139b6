"""The query language, parsed into terms made of our own tokens.

    Transformer 注意力            both must match (a CJK string: the phrase of its bigrams)
    "exact phrase"  “中文引号”    the tokens in this order (curly quotes work too)
    -excluded  -"a phrase"        articles matching it are left out
    DPO OR PPO                    either (OR joins the terms next to it: `a OR b c` is (a|b) c)
    source:3  source:kexue.fm  source:"Lil'Log"   a source by id, or part of its URL or title
    topic:nlp  topic:"强化学习"    a topic by slug or name
    after:2024-01-01 before:2024-02-01   published (else updated) on or after / before the date

Whatever does not parse is searched as plain text (a stray quote is ignored, a filter with a
bad value is words, a lone OR is the word "or"): parsing never fails. Only tokens reach the
database, never the user's text as syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from incoming.index.tokens import MARKER, Piece, fold, pieces, word_tokens

# Longer queries are cut; later terms beyond MAX_TERMS are ignored.
MAX_QUERY_LENGTH = 500
MAX_TERMS = 32

_LEXEME = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<filter>(?P<filter_negated>-)?(?P<key>source|topic|before|after):
        (?:"(?P<quoted_value>[^"]+)"|(?P<value>[^\s"“”]+)))
    | (?P<phrase>(?P<phrase_negated>-)?["“](?P<phrase_text>[^"“”]*)["”])
    | (?P<word>(?P<word_negated>-)?(?P<word_text>[^\s"“”]+))
    | (?P<stray>.)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive tokens of the words stream (a single token is a phrase of one)."""

    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Char:
    """One CJK character, looked for in the chars stream."""

    char: str


Leaf = Phrase | Char


@dataclass(frozen=True, slots=True)
class Term:
    """A query word or quoted phrase: all its leaves must match; `needles` are highlighted."""

    leaves: tuple[Leaf, ...]
    needles: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Filters:
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None

    def __bool__(self) -> bool:
        return bool(self.sources or self.topics or self.after or self.before)


@dataclass(frozen=True, slots=True)
class Query:
    """Every group must match, a group when one of its terms does; excluded terms must not."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    filters: Filters = field(default_factory=Filters)

    @property
    def leaves(self) -> list[Leaf]:
        """The positive leaves, each once."""
        return list(
            dict.fromkeys(leaf for group in self.groups for t in group for leaf in t.leaves)
        )

    @property
    def needles(self) -> list[Piece]:
        return list(dict.fromkeys(n for group in self.groups for t in group for n in t.needles))


def make_term(text: str) -> Term | None:
    """The term for a word or phrase; None when it holds no token (only punctuation)."""
    folded = fold(text)
    tokens, _ = word_tokens(folded)
    if not tokens:
        return None
    needles = pieces(folded)
    leaves: list[Leaf] = []
    # A lone CJK character at either end may continue a longer run in the text ("的B" is in
    # "目的B"), where it is no token of its own: it is looked for as a character instead.
    if len(tokens) > 1 and _is_lone_character(needles[0]):
        leaves.append(Char(tokens.pop(0)))
    if len(tokens) > 1 and _is_lone_character(needles[-1]):
        leaves.append(Char(tokens.pop()))
    while tokens and tokens[0] == MARKER:
        tokens.pop(0)
    while tokens and tokens[-1] == MARKER:
        tokens.pop()
    if len(needles) == 1 and _is_lone_character(needles[0]):
        leaves.append(Char(needles[0].text))
    elif tokens:
        leaves.append(Phrase(tuple(tokens)))
    return Term(tuple(dict.fromkeys(leaves)), tuple(needles))


def _is_lone_character(piece: Piece) -> bool:
    return piece.is_cjk and len(piece.text) == 1


def _date(value: str) -> date | None:
    if not _DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class _Builder:
    """Collects terms, OR groups and filters while the query is read left to right."""

    def __init__(self) -> None:
        self.groups: list[list[Term]] = []
        self.excluded: list[Term] = []
        self.sources: list[str] = []
        self.topics: list[str] = []
        self.after: date | None = None
        self.before: date | None = None
        self.pending_or = False
        self.count = 0

    def add(self, text: str, *, negated: bool = False) -> None:
        term = make_term(text)
        if term is None or self.count >= MAX_TERMS:
            return
        self.count += 1
        if negated:
            self.excluded.append(term)
        elif self.pending_or:
            self.groups[-1].append(term)
            self.pending_or = False
        else:
            self.groups.append([term])

    def add_or(self) -> None:
        if self.groups and not self.pending_or:
            self.pending_or = True
        else:
            self.add("or")

    def add_filter(self, key: str, value: str, original: str) -> None:
        key = key.lower()
        if key == "source":
            self.sources.append(value)
        elif key == "topic":
            self.topics.append(value)
        elif (day := _date(value)) is None:
            self.add(original)
        elif key == "after":
            self.after = max(day, self.after) if self.after else day
        else:
            self.before = min(day, self.before) if self.before else day

    def query(self) -> Query:
        if self.pending_or:  # a trailing OR is a word
            self.pending_or = False
            self.add("or")
        return Query(
            tuple(tuple(group) for group in self.groups),
            tuple(self.excluded),
            Filters(tuple(self.sources), tuple(self.topics), self.after, self.before),
        )


def parse_query(raw: str) -> Query:
    """Parse a query; never fails (what cannot be understood is searched as words)."""
    builder = _Builder()
    text = unicodedata.normalize("NFKC", raw[:MAX_QUERY_LENGTH])
    for lexeme in _LEXEME.finditer(text):
        if original := lexeme.group("filter"):
            value = (lexeme.group("quoted_value") or lexeme.group("value")).strip()
            if lexeme.group("filter_negated") or not value:
                builder.add(original.removeprefix("-"), negated=original.startswith("-"))
            else:
                builder.add_filter(lexeme.group("key"), value, original)
        elif lexeme.group("phrase") is not None:
            builder.add(lexeme.group("phrase_text"), negated=bool(lexeme.group("phrase_negated")))
        elif word := lexeme.group("word_text"):
            negated = bool(lexeme.group("word_negated"))
            if word == "OR" and not negated:
                builder.add_or()
            else:
                builder.add(word, negated=negated)
    return builder.query()
