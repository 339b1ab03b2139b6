"""search(): the matching articles, best first, with highlighted titles and snippets.

Every match is found, but a query reads the index only as far as it needs to: ranking scores a
bounded set of candidates, so that a query costs about the same whether it matches ten
articles or a million. When more than RANK_WINDOW articles match, the candidates are the
RANK_WINDOW newest matches plus the TITLE_WINDOW newest older ones whose title matches (a title
match is the strongest sign of relevance, so an older article about exactly the query still
comes up);
the other matches follow the ranked ones, newest first, page after page. Matches are counted
only as far as COUNT_LIMIT, or just past the page asked for ("more than 200"): counting a
common word's half a million matches, or checking a phrase in each, would cost more than all
the rest of the query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, Connection, func, select

from incoming.derive import normalize_topic
from incoming.index.listing import listed_ids
from incoming.index.matching import Matcher, matcher_for
from incoming.index.query import Filters, Leaf, Query, parse_query
from incoming.index.ranking import Candidate, idf, rank
from incoming.index.schema import search_documents
from incoming.index.snippets import Highlighter
from incoming.index.tokens import fold
from incoming.index.windows import recent_start
from incoming.store.schema import article_topics, articles, sources, topics
from incoming.store.types import UTCDateTime

RANK_WINDOW = 200
TITLE_WINDOW = 50
COUNT_LIMIT = RANK_WINDOW + 1
# How many of the newest IDF_REACH articles hold a query term tells about how many of all do
# (exactly in a store no larger). At a million articles, counting the two terms of the bench's
# two-term queries in the newest 4,096 takes 1.1 ms (8,192: 2.0 ms); their top 20 shares 96%
# with the top 20 of exact counts on average, as with 8,192 (in the same order: 68% of the
# pages, 75% with 8,192).
IDF_REACH = 4096
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: int
    title: str
    title_html: str  # the title escaped, matched parts in <mark>
    url: str | None  # the article's original link
    source_id: int
    source_title: str
    published: datetime | None
    updated: datetime
    score: float  # higher is better
    snippet_html: str  # escaped text around the best hit, matched parts in <mark>


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    total: int  # how many articles match, or at least match when not total_is_exact
    total_is_exact: bool = True


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _names_source(wanted: str, source_id: int, url: str, title: str) -> bool:
    """`source:` takes an id, or a part of the feed URL or of the title (folded)."""
    if wanted.isdigit():
        return wanted == str(source_id)
    return wanted in fold(url) or wanted in fold(title)


def filter_scope(connection: Connection, filters: Filters) -> list[ColumnElement[bool]] | None:
    """Conditions on `articles` for the filters; None when a filter names nothing stored."""
    conditions: list[ColumnElement[bool]] = []
    if filters.sources:
        wanted = [fold(value) for value in filters.sources]
        rows = connection.execute(select(sources.c.id, sources.c.url, sources.c.title))
        ids = [row.id for row in rows if any(_names_source(w, *row) for w in wanted)]
        if not ids:
            return None
        conditions.append(articles.c.source_id.in_(ids))
    if filters.topics:
        slugs = [topic[0] for value in filters.topics if (topic := normalize_topic(value))]
        topic_ids = list(connection.execute(select(topics.c.id).where(topics.c.slug.in_(slugs))))
        if not topic_ids:
            return None
        conditions.append(
            articles.c.id.in_(
                select(article_topics.c.article_id).where(
                    article_topics.c.topic_id.in_([row.id for row in topic_ids])
                )
            )
        )
    dated = func.coalesce(articles.c.published, articles.c.updated, type_=UTCDateTime)
    if filters.after:
        conditions.append(dated >= _midnight(filters.after))
    if filters.before:
        conditions.append(dated < _midnight(filters.before))
    return conditions


def _weights(matcher: Matcher, query: Query) -> dict[Leaf, float]:
    """Each positive leaf's IDF (see IDF_REACH); one leaf: 1."""
    leaves = query.leaves
    if len(leaves) == 1:
        return {leaves[0]: 1.0}
    documents = matcher.top or 0
    start = recent_start(documents, IDF_REACH)
    weights = {}
    for leaf, count in zip(leaves, matcher.counts_since(leaves, start), strict=True):
        # Half an article for a term none of the newest hold: rarer than that, not never.
        matches = (count + 0.5) * documents / (documents - start + 1) if start else count
        weights[leaf] = idf(round(matches), documents)
    return weights


def _candidates(connection: Connection, ids: Sequence[int]) -> list[Candidate]:
    """The candidates' token strings. On PostgreSQL by raw SQL, all at once (`= ANY` of one
    array): SQLAlchemy would take longer over their rows than the database over the query."""
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(_CANDIDATES_SQL, {"ids": list(ids)})
        return [Candidate(*row) for row in rows.all()]
    found = []
    documents = search_documents.c
    for start in range(0, len(ids), _CHUNK):
        query = select(documents.article_id, documents.title_words, documents.body_words).where(
            documents.article_id.in_(ids[start : start + _CHUNK])
        )
        found.extend(Candidate(*row) for row in connection.execute(query).all())
    return found


_CANDIDATES_SQL = (
    "SELECT article_id, title_words, body_words FROM search_documents"
    " WHERE article_id = ANY(%(ids)s)"
)


def _hits(
    connection: Connection, page: Sequence[tuple[int, float]], query: Query
) -> list[SearchHit]:
    query_rows = (
        select(
            articles.c.id,
            articles.c.title,
            articles.c.url,
            articles.c.source_id,
            sources.c.title.label("source_title"),
            sources.c.url.label("source_url"),
            articles.c.published,
            articles.c.updated,
            articles.c.content_text,
        )
        .join(sources, sources.c.id == articles.c.source_id)
        .where(articles.c.id.in_([article_id for article_id, _ in page]))
    )
    rows = {row.id: row for row in connection.execute(query_rows).all()}
    highlighter = Highlighter(query.needles)
    return [
        SearchHit(
            article_id=article_id,
            title=row.title,
            title_html=highlighter.highlight_html(row.title),
            url=row.url,
            source_id=row.source_id,
            source_title=row.source_title or row.source_url,
            published=row.published,
            updated=row.updated,
            score=score,
            snippet_html=highlighter.snippet_html(row.content_text),
        )
        for article_id, score in page
        if (row := rows.get(article_id)) is not None
    ]


def search(connection: Connection, query: str, *, limit: int = 20, offset: int = 0) -> SearchPage:
    """One page of the articles matching `query`, best first (see the query language in
    `incoming.index.query`); never fails on what the user typed."""
    parsed = parse_query(query)
    if not (parsed.groups or parsed.filters or parsed.excluded):
        return SearchPage(query, [], 0)
    scope = filter_scope(connection, parsed.filters)
    if scope is None:
        return SearchPage(query, [], 0)
    counted = max(COUNT_LIMIT, offset + limit + 1)  # past this page: is there another?
    with matcher_for(connection) as matcher:
        if not parsed.groups:  # only filters or exclusions: a list, not a ranking
            ids, complete = listed_ids(connection, matcher, parsed, scope, limit=counted)
            page = [(article_id, 0.0) for article_id in ids[offset : offset + limit]]
            exact = complete and len(ids) < counted
            return SearchPage(query, _hits(connection, page, parsed), len(ids), exact)
        # One pass over the index gives the newest matches, the count and the older ones to
        # show after the ranked: reading a common token's list is the costly part of a query.
        ids = matcher.newest(parsed, scope, title_only=False, limit=counted)
        total, exact = len(ids), len(ids) < counted
        if limit <= 0 or offset >= total:
            return SearchPage(query, [], total, exact)
        newest = ids[:RANK_WINDOW]
        titled: list[int] = []
        if total > RANK_WINDOW:
            titled = matcher.newest(
                parsed, scope, title_only=True, limit=TITLE_WINDOW, before=newest[-1]
            )
        weights = _weights(matcher, parsed)
    ranked = rank(_candidates(connection, [*newest, *titled]), weights)
    page = ranked[offset : offset + limit]
    if len(page) < limit and total > len(ranked):
        skip = max(0, offset - len(ranked))
        ranked_ids = set(titled)
        rest = [article_id for article_id in ids[RANK_WINDOW:] if article_id not in ranked_ids]
        page += [(article_id, 0.0) for article_id in rest[skip : skip + limit - len(page)]]
    return SearchPage(query, _hits(connection, page, parsed), total, exact)
