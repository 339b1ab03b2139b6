"""derive_text: what search and listings need from an entry's clean HTML."""

from __future__ import annotations

from dataclasses import dataclass

from incoming.derive.excerpt import excerpt_html
from incoming.derive.segments import Formula, segments


@dataclass(frozen=True, slots=True)
class DerivedText:
    text: str  # plain text for search
    excerpt_html: str  # HTML fragment: escaped text + inline <math> elements


def derive_text(clean_html: str) -> DerivedText:
    """Plain text (formulas as their TeX, code and images left out) and the excerpt."""
    pieces = segments(clean_html)
    words = (f" {piece.tex} " if isinstance(piece, Formula) else piece for piece in pieces)
    # The pieces are normalized already: only the spaces where they meet need collapsing.
    return DerivedText(" ".join("".join(words).split()), excerpt_html(pieces))
