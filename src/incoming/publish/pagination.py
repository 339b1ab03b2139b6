"""Which page numbers a pager shows: first, last, the current page's neighbours, gaps between."""

from __future__ import annotations

# The pager of the seeds: page 1 of 5 reads "1 2 3 ... 5".
NEIGHBOURS = 2


def pager_items(current: int, total: int, *, neighbours: int = NEIGHBOURS) -> list[int | None]:
    """Page numbers in order, None where a run of pages is left out (shown as "...")."""
    shown = sorted(
        {1, total} | set(range(max(1, current - neighbours), min(total, current + neighbours) + 1))
    )
    items: list[int | None] = []
    previous = 0
    for number in shown:
        if number - previous > 1:
            items.append(None)
        items.append(number)
        previous = number
    return items
