"""Queries with nothing to look for, only filters or exclusions (`topic:nlp`, `-vision`).

They list what they leave in, newest update first, as the source and topic pages do: a
search box that answers `topic:d2l` with nothing would be a dead end. Exclusions are checked a
chunk of ids at a time against the index, so a query reads only as many articles as its page
(and the count) needs; a scan stops after MAX_SCANNED articles, and the count is then a
lower bound.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, select

from incoming.index.matching import Matcher
from incoming.index.query import Query
from incoming.store.schema import articles

CHUNK = 500
MAX_SCANNED = 50 * CHUNK


def listed_ids(
    connection: Connection,
    matcher: Matcher,
    query: Query,
    scope: list[ColumnElement[bool]],
    *,
    limit: int,
) -> tuple[list[int], bool]:
    """Up to `limit` ids in scope and not excluded, newest update first; and whether the
    scan reached the end of the scope (if not, more may be left in than were found)."""
    ordered = (
        select(articles.c.id, articles.c.updated)
        .where(*scope)
        .order_by(articles.c.updated.desc(), articles.c.id.desc())
    )
    unwanted = Query(groups=(query.excluded,)) if query.excluded else None
    kept: list[int] = []
    scanned = 0
    after = None
    while len(kept) < limit and scanned < MAX_SCANNED:
        page = ordered
        if after is not None:
            page = page.where(
                (articles.c.updated < after[0])
                | ((articles.c.updated == after[0]) & (articles.c.id < after[1]))
            )
        rows = connection.execute(page.limit(CHUNK)).all()
        if not rows:
            return kept, True
        scanned += len(rows)
        after = (rows[-1].updated, rows[-1].id)
        ids = [row.id for row in rows]
        dropped: set[int] = set()
        if unwanted is not None:
            dropped = set(
                matcher.newest(unwanted, [articles.c.id.in_(ids)], title_only=False, limit=len(ids))
            )
        kept.extend(article_id for article_id in ids if article_id not in dropped)
        if len(rows) < CHUNK:
            return kept[:limit], True
    return kept[:limit], False
