"""Formulas written in running text as \\(..\\) (inline) and \\[..\\] (display).

`$` and `$$` are deliberately not delimiters here: in feed HTML they are far more often prices.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DELIMITER = re.compile(r"\\\\|\\[()\[\]]")
_CLOSERS = {"\\(": "\\)", "\\[": "\\]"}


def replace_delimited_math(text: str, replace: Callable[[str, bool], str]) -> str:
    """text with each delimited formula replaced by replace(tex, display).

    One pass over the delimiters (linear time): an opener starts a formula, a later opener of
    either kind restarts it, the matching closer ends it; `\\\\` is a TeX line break, skipped.
    """
    pieces: list[str] = []
    done = 0
    opener: re.Match[str] | None = None
    for match in _DELIMITER.finditer(text):
        token = match.group()
        if token in _CLOSERS:
            opener = match
        elif opener is not None and token == _CLOSERS[opener.group()]:
            pieces.append(text[done : opener.start()])
            pieces.append(replace(text[opener.end() : match.start()], opener.group() == "\\["))
            done, opener = match.end(), None
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)
