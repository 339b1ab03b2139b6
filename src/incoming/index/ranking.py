"""Ranking: BM25 over the candidates' token strings, titles weighted, the same on both databases.

Scores are computed here, in Python, from the stored token strings, rather than by FTS5's
bm25() or PostgreSQL's ts_rank_cd: both of those visit every match of every query term (bm25
counts them for its IDF; ts_rank_cd reads each match's tsvector), which takes too long for a
common term in a million articles. Only a bounded set of candidates is scored (see `search`),
and both databases rank them alike. Following FTS5's bm25, a term's frequency is its count in
the text plus TITLE_WEIGHT times its count in the title, and the length is the whole article's.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from incoming.index.query import Char, Leaf

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 5.0


@dataclass(frozen=True, slots=True)
class Candidate:
    article_id: int
    title_words: str
    body_words: str


def idf(matches: int, documents: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (documents - matches + 0.5) / (matches + 0.5))


def _length(words: str) -> int:
    return words.count(" ") + 1 if words else 0


def _frequency(leaf: Leaf, spaced: str) -> int:
    """How often the leaf occurs in a token string with spaces around it."""
    if isinstance(leaf, Char):  # within its bigrams: about twice per occurrence, alike for all
        return spaced.count(leaf.char)
    return spaced.count(" " + " ".join(leaf.tokens) + " ")


def rank(candidates: Sequence[Candidate], weights: Mapping[Leaf, float]) -> list[tuple[int, float]]:
    """(article id, score) best first; equal scores newest first (the higher id came later:
    ranking needs no second lookup in the articles table)."""
    lengths = [_length(c.title_words) + _length(c.body_words) for c in candidates]
    average = sum(lengths) / len(lengths) if lengths else 1.0
    scored = []
    for candidate, length in zip(candidates, lengths, strict=True):
        title, body = f" {candidate.title_words} ", f" {candidate.body_words} "
        norm = K1 * (1 - B + B * length / (average or 1.0))
        score = 0.0
        for leaf, weight in weights.items():
            tf = TITLE_WEIGHT * _frequency(leaf, title) + _frequency(leaf, body)
            score += weight * tf * (K1 + 1) / (tf + norm)
        scored.append((round(score, 9), candidate.article_id))
    scored.sort(reverse=True)
    return [(article_id, score) for score, article_id in scored]
