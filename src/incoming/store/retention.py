"""The per-source retention limit: a source keeps its newest articles, up to a number.

Applied after a save, in its transaction: the source's oldest articles (in the latest-updates
order) beyond the limit are deleted, their search index rows and topic links with them. Never
deleted: what the feed lists now (so nothing a fetch just stored goes in the same fetch), and
what a protection keeps (`PROTECTIONS`: today articles linked from an article of the same
source that stays; a `starred` flag would add its own). Pruning waits until the source is a
tenth over its limit, so that the links are looked for once per many new articles, not on
every fetch.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import Connection, delete, func, select

from incoming.derive.fingerprint import steady_url
from incoming.index.schema import search_documents
from incoming.store.changes import note_change
from incoming.store.schema import articles

CHUNK = 500
_HREF = re.compile(r'href="([^"]+)"')


def _linked(
    connection: Connection, source_id: int, candidates: Mapping[int, str | None]
) -> set[int]:
    """Candidates whose link an article of the source that stays links to (an `href` in its
    clean HTML, where URLs are absolute and attributes double-quoted)."""
    wanted: dict[str, list[int]] = {}
    for article_id, url in candidates.items():
        if (steady := steady_url(url)) is not None:
            wanted.setdefault(steady, []).append(article_id)
    if not wanted:
        return set()
    linked: set[int] = set()
    rows = connection.execute(
        select(articles.c.id, articles.c.content_html).where(articles.c.source_id == source_id)
    )
    for article_id, content in rows:
        if article_id in candidates or "href=" not in content:
            continue
        for href in _HREF.findall(content):
            linked.update(wanted.get(steady_url(html.unescape(href)) or "", ()))
    return linked


# Each names the candidates (id: link) it keeps. A `starred` column would add one returning
# the candidates starred.
PROTECTIONS: tuple[Callable[[Connection, int, Mapping[int, str | None]], set[int]], ...] = (
    _linked,
)


def prune_source(
    connection: Connection, source_id: int, *, keep: int, listed: Iterable[str]
) -> int:
    """Delete the source's oldest articles beyond its newest `keep` (0: no limit), except those
    whose identity the feed lists now (`listed`) and those a protection keeps; returns how
    many were deleted."""
    if keep <= 0:
        return 0
    total = connection.execute(
        select(func.count()).select_from(articles).where(articles.c.source_id == source_id)
    ).scalar_one()
    if total <= keep + keep // 10:
        return 0
    present = set(listed)
    oldest = connection.execute(
        select(articles.c.id, articles.c.identity, articles.c.url)
        .where(articles.c.source_id == source_id)
        .order_by(articles.c.updated.desc(), articles.c.id.desc())
        .offset(keep)
    )
    candidates = {row.id: row.url for row in oldest if row.identity not in present}
    for protection in PROTECTIONS:
        for article_id in protection(connection, source_id, candidates):
            candidates.pop(article_id, None)
    doomed = list(candidates)
    for start in range(0, len(doomed), CHUNK):
        chunk = doomed[start : start + CHUNK]
        # The index rows would go by the foreign key's cascade too; said here, in this order.
        connection.execute(delete(search_documents).where(search_documents.c.article_id.in_(chunk)))
        connection.execute(delete(articles).where(articles.c.id.in_(chunk)))
    if doomed:
        note_change(connection)
    return len(doomed)
