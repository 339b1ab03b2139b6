"""Formulas lifted out of raw HTML wait as placeholder text until the HTML is written again.

The placeholders use Unicode noncharacters, which the cleaner removes from its input first, so
no input can forge one.
"""

from __future__ import annotations

import re

from incoming.clean.mathml import MacroScope, tex_fallback

RESERVED_CHARACTERS = "\ufdd0-\ufdef"
_PLACEHOLDER = re.compile("\ufdd0(\\d+)\ufdd1")

# Past this many characters of TeX in one entry the remaining formulas stay TeX, which bounds
# the time any input can cost (math-core and our allow-listing: well under 0.1 µs a character).
MAX_TEX_PER_ENTRY = 60_000
_COST_PER_FORMULA = 40


class FormulaStore:
    """The converted formulas of one entry, each behind a placeholder."""

    def __init__(self) -> None:
        self._fragments: list[str] = []
        self._budget = MAX_TEX_PER_ENTRY
        self._math = MacroScope()

    def placeholder(self, tex: str, *, display: bool) -> str:
        """Text standing for the formula; `fill` swaps in its MathML (or its TeX fallback)."""
        cost = len(tex) + _COST_PER_FORMULA
        if cost <= self._budget:
            self._budget -= cost
            self._fragments.append(self._math.convert(tex, display=display))
        else:
            self._fragments.append(tex_fallback(tex.strip()))
        return f"\ufdd0{len(self._fragments) - 1}\ufdd1"

    def fill(self, html: str) -> str:
        if not self._fragments:
            return html
        return _PLACEHOLDER.sub(lambda match: self._fragments[int(match.group(1))], html)
