"""The site's pages and feeds: parse the request, get the data, render once per store state.

Anything malformed in a path (page 0, -1, `abc`, an unknown id) is a 404, never a 500; a
page's other spellings (`/page/1`, a wrong or missing slug) redirect to its canonical URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from incoming.parse import OpmlOutline, render_opml
from incoming.publish import data
from incoming.publish.feeds import (
    ATOM_MEDIA_TYPE,
    JSON_FEED_MEDIA_TYPE,
    ORIGIN,
    FeedInfo,
    atom_feed,
    json_feed,
    place_origin,
)
from incoming.publish.http import FEED_CACHE_CONTROL, Rendered, respond
from incoming.publish.pagination import pager_items
from incoming.publish.site import PageCache, Site, Stamp
from incoming.publish.urls import (
    SEARCH_PATH,
    article_path,
    href,
    page_href,
    page_path,
    search_url,
    source_path,
    topic_path,
)
from incoming.store.queries import ALL, Scope, get_source, get_topic
from incoming.store.sources import list_sources

_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
_ID = re.compile(r"[1-9][0-9]{0,17}")
# Characters HTML does not allow in a page (nobody types them): dropped from a query shown.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
FEEDS = {"atom": (atom_feed, ATOM_MEDIA_TYPE), "json": (json_feed, JSON_FEED_MEDIA_TYPE)}


def _site(request: Request) -> Site:
    return request.app.state.site


def _number(raw: str, pattern: re.Pattern[str]) -> int:
    if pattern.fullmatch(raw) is None:
        raise HTTPException(404)
    return int(raw)


def _page(raw: str | None) -> int:
    return 1 if raw is None else _number(raw, _PAGE_NUMBER)


def _redirect(path: str) -> Response:
    return RedirectResponse(href(path), status_code=301)


async def _serve(
    request: Request,
    key: tuple[object, ...],
    build: Callable[[Connection, Stamp], Rendered | None],
    *,
    cache: PageCache | None = None,
) -> Response:
    rendered = await _site(request).rendered(key, build, cache=cache)
    canonical = rendered.canonical_path
    if canonical is not None and request.scope["path"] != canonical:
        return _redirect(canonical)
    return respond(request, rendered)


def _list_page(
    site: Site,
    stamp: Stamp,
    listing: data.ArticleList,
    *,
    heading: str,
    list_path: str,
    **extra: object,
) -> Rendered:
    paging = listing.paging
    return site.html(
        "list.html",
        stamp,
        canonical_path=page_path(list_path, paging.number),
        heading=heading,
        listing=listing,
        list_path=list_path,
        pager=pager_items(paging.number, paging.total_pages),
        page_url=partial(page_href, list_path),
        **extra,
    )


async def front(request: Request) -> Response:
    number = _page(request.path_params.get("number"))
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        listing = data.front_page(connection, number, site.settings.page_size, count=site.count)
        if listing is None:
            return None
        return _list_page(site, stamp, listing, heading="LATEST UPDATES", list_path="/")

    return await _serve(request, ("front", number), build)


async def source(request: Request) -> Response:
    source_id = _number(request.path_params["source_id"], _ID)
    number = _page(request.path_params.get("number"))
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        found = data.source_page(
            connection, source_id, number, site.settings.page_size, count=site.count
        )
        if found is None:
            return None
        return _list_page(
            site,
            stamp,
            found.listing,
            heading=found.source.display_name,
            list_path=source_path(source_id),
            source=found.source,
        )

    return await _serve(request, ("source", source_id, number), build)


async def topic(request: Request) -> Response:
    slug = request.path_params["slug"]
    number = _page(request.path_params.get("number"))
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        found = data.topic_page(connection, slug, number, site.settings.page_size, count=site.count)
        if found is None:
            return None
        return _list_page(
            site,
            stamp,
            found.listing,
            heading=found.topic.name,
            list_path=topic_path(slug),
            topic=found.topic,
        )

    return await _serve(request, ("topic", slug, number), build)


async def article(request: Request) -> Response:
    article_id = _number(request.path_params["article_id"], _ID)
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        detail = data.article_detail(connection, article_id)
        if detail is None:
            return None
        body = site.body(detail.article)
        return site.html(
            "article.html",
            stamp,
            canonical_path=article_path(article_id, detail.article.title),
            detail=detail,
            article=detail.article,
            related=site.related(connection, detail.article),
            body=body,
            show_toc=len(body.headings) >= site.settings.toc_min_headings,
        )

    return await _serve(request, ("article", article_id), build)


async def search(request: Request) -> Response:
    """Results for `q`, a page at a time; no query is the page with just the search box.

    Any query is searched (the index reads what it can of it), cut to SEARCH_MAX_CHARS.
    """
    query = _UNPRINTABLE.sub("", request.query_params.get("q", ""))[: data.SEARCH_MAX_CHARS]
    number = _page(request.query_params.get("page"))
    site = _site(request)
    if not query.strip() and number > 1:
        raise HTTPException(404)

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        context: dict[str, Any] = {"query": query, "results": None}
        if query.strip():
            results = data.search_results(connection, query, number, site.settings.page_size)
            if results is None:
                return None
            paging = results.paging
            context |= {
                "results": results,
                "pager": pager_items(paging.number, paging.total_pages),
                "page_url": partial(search_url, query),
            }
        return site.html("search.html", stamp, **context)

    return await _serve(request, ("search", query, number), build, cache=site.searches)


async def sources_index(request: Request) -> Response:
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered:
        return site.html("sources.html", stamp, summaries=data.sources_index(connection))

    return await _serve(request, ("sources",), build)


async def topics_index(request: Request) -> Response:
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered:
        return site.html("topics.html", stamp, summaries=data.topics_index(connection))

    return await _serve(request, ("topics",), build)


def _origin(request: Request) -> str:
    """Scheme and host of absolute URLs: base_url, else the request's (an allowed Host)."""
    configured = _site(request).settings.base_url
    return (configured or str(request.base_url)).rstrip("/")


def _feed_scope(
    connection: Connection, title: str, kind: str, key: str
) -> tuple[Scope, str] | None:
    """The scope of a feed and its title; None for an unknown source or topic."""
    if kind == "source":
        found = get_source(connection, int(key))
        return (
            None
            if found is None
            else (Scope(source_id=found.id), f"{found.display_name} · {title}")
        )
    if kind == "topic":
        named = get_topic(connection, key)
        return None if named is None else (Scope(topic_id=named.id), f"{named.name} · {title}")
    return ALL, title


async def feed(request: Request) -> Response:
    """Any of the feeds: all updates, one source's or one topic's, as Atom or JSON Feed."""
    site = _site(request)
    if request.path_params["format"] not in FEEDS:
        raise HTTPException(404)
    writer, media_type = FEEDS[request.path_params["format"]]
    if "source_id" in request.path_params:
        kind, key = "source", str(_number(request.path_params["source_id"], _ID))
        list_path = source_path(int(key))
    elif "slug" in request.path_params:
        kind, key = "topic", request.path_params["slug"]
        list_path = topic_path(key)
    else:
        kind, key, list_path = "all", "", "/"
    feed_path = request.scope["path"]

    def build(connection: Connection, stamp: Stamp) -> Rendered | None:
        found = _feed_scope(connection, site.settings.title, kind, key)
        if found is None:
            return None
        scope, title = found
        articles = data.latest(connection, scope, site.settings.feed_size)
        updated = articles[0].updated if articles else stamp.last_modified
        info = FeedInfo(
            title, ORIGIN, feed_path, list_path, updated, site.settings.feed_content_bytes
        )
        body = writer(info, articles)
        return Rendered(body, media_type, stamp.etag, stamp.last_modified, FEED_CACHE_CONTROL)

    feed_key = ("feed", feed_path)
    written = await site.rendered(feed_key, build, max_age=None)
    return respond(request, site.variant(feed_key, written, _origin(request), place_origin))


async def opml(request: Request) -> Response:
    """The feeds the hub follows (notes folders are paths on this server: never shown)."""
    site = _site(request)

    def build(connection: Connection, stamp: Stamp) -> Rendered:
        outlines = [
            OpmlOutline(source.url, source.title or None, source.site_url, source.topic)
            for source in list_sources(connection)
            if source.kind == "feed"
        ]
        body = render_opml(outlines, title=site.settings.title)
        return Rendered(
            body, "text/x-opml; charset=utf-8", stamp.etag, stamp.last_modified, FEED_CACHE_CONTROL
        )

    return await _serve(request, ("opml",), build)


def page_routes() -> list[BaseRoute]:
    return [
        Route("/", front, name="front"),
        Route("/page/{number}", front),
        Route("/a/{article_id}", article),
        Route("/a/{article_id}/{slug}", article, name="article"),
        Route("/source/{source_id}", source, name="source"),
        Route("/source/{source_id}/page/{number}", source),
        Route("/source/{source_id}/feed.{format}", feed),
        Route("/topic/{slug}", topic, name="topic"),
        Route("/topic/{slug}/page/{number}", topic),
        Route("/topic/{slug}/feed.{format}", feed),
        Route(SEARCH_PATH, search, name="search"),
        Route("/sources", sources_index, name="sources"),
        Route("/topics", topics_index, name="topics"),
        Route("/feed.{format}", feed, name="feed"),
        Route("/opml", opml, name="opml"),
    ]
