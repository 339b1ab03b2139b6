"""Telling churn from news when a source's entries are saved.

Two kinds of churn a feed can make on every fetch (derive/fingerprint.py says what a real
change is):

- *Re-issued entries*: the same link and the same text under a new guid. The stored article
  takes the new identity instead of a second row being added.
- *Changes nobody can read*: a bumped date, a cache-buster, a timestamp in the text. The row is
  updated in place but keeps its place in the latest updates.

And one kind of change that is real but is not news: a rewrite of the whole feed (a new footer
in every entry, a counter in the text). When at least `MASS_CHANGE_MIN` entries of a fetch and
more than half of those stored already change at once, they all keep their places. An article
that moved up for a change less than `MOVE_UP_AGAIN_AFTER` ago keeps its place too, so that an
entry that really changes on every fetch rises at most once a day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select

from incoming.derive.fingerprint import fingerprint, steady_url
from incoming.models import ArticleDraft
from incoming.store.schema import articles

MASS_CHANGE_MIN = 4
# A re-issued entry re-issues something its feed listed before: it is looked for among the
# source's newest articles (by place), twice as many as the fetch lists plus this many, so that
# a save's cost follows the feed's length, not the source's size (reading all of a source of
# 10,000 for one new entry took 57 ms; bench.runaway has the cost with the window).
REISSUE_MARGIN = 100
MOVE_UP_AGAIN_AFTER = timedelta(days=1)
# Enough for the largest feeds, small enough for SQLite's bound-parameter limit.
CHUNK = 500
# What the save path needs of a stored article to decide (see articles.save_drafts).
STATE_COLUMNS = (
    articles.c.identity,
    articles.c.id,
    articles.c.content_hash,
    articles.c.updated,
    articles.c.first_seen,
    articles.c.gone,
)


def draft_fingerprint(draft: ArticleDraft) -> str:
    return draft.fingerprint or fingerprint(draft.title, draft.content_text, draft.content_html)


def stored_fingerprints(connection: Connection, article_ids: Iterable[int]) -> dict[int, str]:
    """The fingerprint of each stored article named, from its title, text and clean HTML."""
    ids = list(dict.fromkeys(article_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(
            articles.c.id, articles.c.title, articles.c.content_text, articles.c.content_html
        ).where(articles.c.id.in_(ids[start : start + CHUNK]))
        found.update(
            (row.id, fingerprint(row.title, row.content_text, row.content_html))
            for row in connection.execute(query)
        )
    return found


def reissued_articles(
    connection: Connection,
    source_id: int,
    drafts: Sequence[ArticleDraft],
    *,
    taken: set[int],
    listed: int,
) -> dict[str, Row[Any]]:
    """Stored articles that `drafts` (of identities not stored) re-issue, by draft identity:
    the same link, tracking parameters aside, and the same fingerprint. Articles in `taken`
    (matched by identity already) are not candidates; each article matches one draft.
    `listed`: how many entries the fetch lists."""
    by_url: dict[str, list[ArticleDraft]] = {}
    for draft in drafts:
        url = steady_url(draft.url)
        if url is not None:
            by_url.setdefault(url, []).append(draft)
    if not by_url:
        return {}
    pages = {_page(draft.url) for group in by_url.values() for draft in group}
    window = (
        select(articles.c.id, articles.c.url)
        .where(articles.c.source_id == source_id)
        .order_by(articles.c.updated.desc(), articles.c.id.desc())
        .limit(2 * listed + REISSUE_MARGIN)
    )
    candidates = {
        article_id: url
        for article_id, stored_url in connection.execute(window)
        if article_id not in taken
        and _page(stored_url) in pages  # a cheap test first: most links are other pages
        and (url := steady_url(stored_url)) in by_url
    }
    if not candidates:
        return {}
    fingerprints = stored_fingerprints(connection, candidates)
    states = _states(connection, candidates)
    found: dict[str, Row[Any]] = {}
    for article_id in sorted(candidates, reverse=True):  # the newest copy first
        for draft in by_url[candidates[article_id]]:
            if draft.identity not in found and draft_fingerprint(draft) == fingerprints[article_id]:
                found[draft.identity] = states[article_id]
                break
    return found


def _page(url: str | None) -> str:
    """The link up to its fragment or query: equal for links equal but for tracking."""
    return (url or "").partition("#")[0].partition("?")[0]


def _states(connection: Connection, article_ids: Iterable[int]) -> dict[int, Row[Any]]:
    ids = list(article_ids)
    found: dict[int, Row[Any]] = {}
    for start in range(0, len(ids), CHUNK):
        query = select(*STATE_COLUMNS).where(articles.c.id.in_(ids[start : start + CHUNK]))
        found.update((row.id, row) for row in connection.execute(query))
    return found


def places_kept(
    connection: Connection,
    changed: Sequence[tuple[ArticleDraft, Row[Any]]],
    *,
    listed: int,
    now: datetime,
) -> set[int]:
    """Ids of the `changed` articles (draft, stored state) that keep their place: no real
    change, part of a rewrite of the feed (`listed`: entries of the fetch stored already), or
    moved up for a change less than a day ago."""
    if not changed:
        return set()
    before = stored_fingerprints(connection, (known.id for _, known in changed))
    real = [known for draft, known in changed if draft_fingerprint(draft) != before[known.id]]
    if len(real) >= MASS_CHANGE_MIN and 2 * len(real) > listed:
        return {known.id for _, known in changed}
    moved = {known.id for known in real if not _moved_lately(known, now)}
    return {known.id for _, known in changed} - moved


def _moved_lately(known: Row[Any], now: datetime) -> bool:
    """Whether the article moved up for a change (its place is later than when it was first
    seen, which a new article's never is) less than MOVE_UP_AGAIN_AFTER ago."""
    return known.updated > known.first_seen and now - known.updated < MOVE_UP_AGAIN_AFTER
