"""Id windows for PostgreSQL: lexemes in each tsvector that name ranges of article ids.

A GIN index answers "which rows match" but not "the newest 200 that match": without help, a
query for a word that half the articles hold either reads half a million rows in id order,
checking each row's tsvector, or fetches all half million from the heap and sorts them. So
each tsvector also holds, for every level L in WINDOW_LEVELS, the lexeme `#L:n` where n is
`article_id >> L`: the aligned block of 2**L ids the article falls in. A window of ids is a
few such blocks, OR-ed into the tsquery, and GIN intersects their short lists with the
words' lists itself; the matcher reads the newest window first and older, wider ones only
while it has found too few.
"""

from __future__ import annotations

WINDOW_LEVELS = (9, 12, 15, 18)
SMALLEST = 1 << WINDOW_LEVELS[0]


def window_lexemes_sql(key: str) -> str:
    """SQL for the array of the window lexemes of the id in column `key`."""
    lexemes = ", ".join(f"'#{level}:' || ({key} >> {level})::text" for level in WINDOW_LEVELS)
    return f"ARRAY[{lexemes}]"


def aligned(article_id: int) -> int:
    """The end of the smallest block holding article_id: where the newest window ends."""
    return (article_id // SMALLEST + 1) * SMALLEST


def recent_start(top: int, reach: int) -> int:
    """The first id of the window of about the newest `reach` ids (a multiple of SMALLEST)
    ending past `top`; 0 when that reaches back to the first article."""
    return max(0, aligned(top) - reach)


def window_lexemes(low: int, high: int) -> list[str]:
    """The fewest blocks that make up ids low..high-1 (both multiples of SMALLEST), newest
    first."""
    lexemes = []
    while high > low:
        level = next(
            level
            for level in reversed(WINDOW_LEVELS)
            if high % (1 << level) == 0 and high - (1 << level) >= low
        )
        high -= 1 << level
        lexemes.append(f"#{level}:{high >> level}")
    return lexemes
