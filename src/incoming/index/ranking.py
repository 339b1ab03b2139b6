"""Ranking: BM25 over the candidates' token strings, titles weighted, the same on both databases.

Scores are computed here from counts that one SQL statement takes in the stored token strings
on either database, rather than by FTS5's bm25() or PostgreSQL's ts_rank_cd: both of those
visit every match of every query term (bm25 counts them for its IDF; ts_rank_cd reads each
match's tsvector), which takes too long for a common term in a million articles. Only a
bounded set of candidates is scored (see `search`), and both databases rank them alike.
Following FTS5's bm25, a term's frequency is its count in the text plus TITLE_WEIGHT times its
count in the title, and the length is the whole article's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select

from incoming.index.query import Char, Leaf
from incoming.index.schema import search_documents

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 5.0


@dataclass(frozen=True, slots=True)
class Candidate:
    article_id: int
    length: int  # tokens in the title and the text
    frequencies: tuple[float, ...]  # per leaf ranked: TITLE_WEIGHT x count in title + in text


def idf(matches: int, documents: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (documents - matches + 0.5) / (matches + 0.5))


def _removed(words: Any, needle: str) -> ColumnElement[int]:
    """How many characters taking every `needle` out of a token string (spaces around it)
    removes: its count times its length (left to right, not overlapping, as str.count)."""
    spaced = literal(" ") + words + " "
    return func.length(spaced) - func.length(func.replace(spaced, needle, ""))


def _needle(leaf: Leaf) -> str:
    # A character is counted within its bigrams: about twice per occurrence, alike for all.
    return leaf.char if isinstance(leaf, Char) else " " + " ".join(leaf.tokens) + " "


def _length(words: Any) -> ColumnElement[int]:
    return case(
        (words == "", 0), else_=func.length(words) - func.length(func.replace(words, " ", "")) + 1
    )


def candidates_query(ids: Sequence[int], leaves: Sequence[Leaf]) -> Select[Any]:
    """What ranking needs of these articles, counted by the database: the token strings
    themselves (tens of kB an article) never leave it."""
    documents = search_documents.c
    counts = [
        _removed(column, _needle(leaf))
        for leaf in leaves
        for column in (documents.title_words, documents.body_words)
    ]
    return select(
        documents.article_id,
        _length(documents.title_words) + _length(documents.body_words),
        *counts,
    ).where(documents.article_id.in_(ids))


def candidate(row: Sequence[Any], leaves: Sequence[Leaf]) -> Candidate:
    """A row of candidates_query for these leaves."""
    article_id, length, *removed = row
    frequencies = tuple(
        (TITLE_WEIGHT * title + body) / len(_needle(leaf))
        for leaf, title, body in zip(leaves, removed[::2], removed[1::2], strict=True)
    )
    return Candidate(article_id, length, frequencies)


def rank(candidates: Sequence[Candidate], weights: Sequence[float]) -> list[tuple[int, float]]:
    """(article id, score) best first, `weights` in the order of the leaves counted; equal
    scores newest first (the higher id came later: ranking needs no second lookup in the
    articles table)."""
    average = sum(c.length for c in candidates) / len(candidates) if candidates else 1.0
    scored = []
    for candidate in candidates:
        norm = K1 * (1 - B + B * candidate.length / (average or 1.0))
        score = sum(
            weight * tf * (K1 + 1) / (tf + norm)
            for weight, tf in zip(weights, candidate.frequencies, strict=True)
        )
        scored.append((round(score, 9), candidate.article_id))
    scored.sort(reverse=True)
    return [(article_id, score) for score, article_id in scored]
