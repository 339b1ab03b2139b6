"""What each page shows, as plain data: shared by the HTML pages, the feeds and the JSON API.

A function answers None when what was asked for does not exist (unknown id, a page past the
last); the caller turns that into its own kind of 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from math import ceil

from sqlalchemy import Connection

from incoming.index import SearchHit, search
from incoming.store.articles import Article
from incoming.store.queries import (
    ALL,
    ArticleRef,
    Scope,
    SourceSummary,
    Topic,
    TopicSummary,
    articles_by_ids,
    count_in,
    get_source,
    get_topic,
    neighbours,
    page_ids,
    source_summaries,
    topic_summaries,
)
from incoming.store.sources import Source

# How many articles a scope holds; the site passes a memoized one (counting is the slow part).
Counter = Callable[[Connection, Scope], int]
# Longer queries are cut here by the site and refused by the API: a query is unbounded input,
# and pages are cached by it.
SEARCH_MAX_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Paging:
    """Where a page sits in its list; numbers start at 1 and an empty list has one page."""

    number: int
    size: int
    total_items: int

    @property
    def total_pages(self) -> int:
        return max(1, ceil(self.total_items / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.total_pages else None


@dataclass(frozen=True, slots=True)
class ArticleList:
    """A page of articles *without their bodies* (empty `content_html`/`content_text`)."""

    articles: tuple[Article, ...]
    paging: Paging


@dataclass(frozen=True, slots=True)
class SourceListing:
    source: Source
    listing: ArticleList


@dataclass(frozen=True, slots=True)
class TopicListing:
    topic: Topic
    listing: ArticleList


@dataclass(frozen=True, slots=True)
class ArticleDetail:
    """An article with its neighbours in the latest-updates order (newer is the previous)."""

    article: Article
    newer: ArticleRef | None
    older: ArticleRef | None


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of search hits, best first."""

    hits: tuple[SearchHit, ...]
    paging: Paging
    total_is_exact: bool  # else paging.total_items is a lower bound


def article_list(
    connection: Connection, scope: Scope, page: int, page_size: int, *, count: Counter = count_in
) -> ArticleList | None:
    """One page of a scope's articles, newest update first; None past the last page."""
    if page < 1:
        return None
    paging = Paging(page, page_size, count(connection, scope))
    if page > paging.total_pages:
        return None
    ids = page_ids(connection, scope, limit=page_size, offset=paging.offset)
    return ArticleList(tuple(articles_by_ids(connection, ids, with_content=False)), paging)


def front_page(
    connection: Connection, page: int, page_size: int, *, count: Counter = count_in
) -> ArticleList | None:
    return article_list(connection, ALL, page, page_size, count=count)


def source_page(
    connection: Connection,
    source_id: int,
    page: int,
    page_size: int,
    *,
    count: Counter = count_in,
) -> SourceListing | None:
    source = get_source(connection, source_id)
    if source is None:
        return None
    listing = article_list(connection, Scope(source_id=source.id), page, page_size, count=count)
    return SourceListing(source, listing) if listing is not None else None


def topic_page(
    connection: Connection, slug: str, page: int, page_size: int, *, count: Counter = count_in
) -> TopicListing | None:
    topic = get_topic(connection, slug)
    if topic is None:
        return None
    listing = article_list(connection, Scope(topic_id=topic.id), page, page_size, count=count)
    return TopicListing(topic, listing) if listing is not None else None


def article_detail(connection: Connection, article_id: int) -> ArticleDetail | None:
    found = articles_by_ids(connection, [article_id])
    if not found:
        return None
    newer, older = neighbours(connection, found[0])
    return ArticleDetail(found[0], newer, older)


def search_results(
    connection: Connection, query: str, page: int, page_size: int
) -> SearchResults | None:
    """One page of the hits for `query`; None past the last page (no hits is one empty page)."""
    if page < 1:
        return None
    found = search(connection, query, limit=page_size, offset=(page - 1) * page_size)
    paging = Paging(page, page_size, found.total)
    if page > paging.total_pages:
        return None
    return SearchResults(tuple(found.hits), paging, found.total_is_exact)


def latest(connection: Connection, scope: Scope, limit: int) -> list[Article]:
    """The newest updates of a scope, without counting (feeds need no page numbers)."""
    return articles_by_ids(connection, page_ids(connection, scope, limit=limit))


def sources_index(connection: Connection) -> list[SourceSummary]:
    return source_summaries(connection)


def topics_index(connection: Connection) -> list[TopicSummary]:
    return topic_summaries(connection)
