"""The JSON API under /api: articles, sources and topics to read; sources to change with a token.

Every answer under /api, errors included (unknown paths, wrong methods, a database that is
down), is JSON; errors have the one shape of `api_errors`. Reads are plain functions, which
Starlette runs in its thread pool, so a slow database never stalls the event loop.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.endpoints import HTTPEndpoint
from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from incoming.errors import SourceError, SourceExistsError, SourceNotFoundError
from incoming.index import search
from incoming.models import ContentFormat, content_format
from incoming.publish import data
from incoming.publish.api.errors import EXCEPTION_HANDLERS, ApiError, bad_parameter, not_found
from incoming.publish.api.openapi import openapi_document
from incoming.publish.api.params import (
    MAX_OFFSET,
    Cursor,
    parse_cursor,
    parse_id,
    parse_instant,
    parse_limit,
    parse_offset,
    parse_search_query,
)
from incoming.publish.api.payloads import (
    article_detail_json,
    article_json,
    outcome_json,
    search_hit_json,
    source_detail_json,
    source_summary_json,
    topic_json,
)
from incoming.publish.api.queries import ArticleFilter, article_page
from incoming.publish.api.tokens import require_token
from incoming.publish.source_input import topic_name, web_url
from incoming.store.engine import Store
from incoming.store.queries import get_source, get_topic
from incoming.store.sources import Source, article_counts

# The actions that add, fetch or remove sources import `incoming.sources.service` (the
# fetcher and the parsers) when they first run: a web process starts without them.

MAX_BODY_BYTES = 16 * 1024


def _store(request: Request) -> Store:
    return request.app.state.store


# --- reading ----------------------------------------------------------------------------------


def list_articles(request: Request) -> Response:
    query = request.query_params
    limit = parse_limit(query)
    cursor = parse_cursor(query)
    before, after = parse_instant(query, "before"), parse_instant(query, "after")
    source_id = parse_id(query["source"], "source") if "source" in query else None
    slug = query.get("topic")
    if slug == "":
        raise bad_parameter("topic", "topic must be a topic's slug, not empty")
    with _store(request).read() as connection:
        if source_id is not None and get_source(connection, source_id) is None:
            raise not_found(f"no source with id {source_id}", parameter="source")
        topic = None
        if slug is not None:
            topic = get_topic(connection, slug) if "\x00" not in slug else None
            if topic is None:
                raise not_found(f"no topic {slug!r}", parameter="topic")
        chosen = ArticleFilter(source_id, topic.id if topic else None, before, after)
        after_key = (cursor.updated, cursor.id) if cursor else None
        found = article_page(connection, chosen, after_key=after_key, limit=limit + 1)
    page = found[:limit]
    next_cursor = Cursor(page[-1].updated, page[-1].id).encode() if len(found) > limit else None
    return JSONResponse(
        {"items": [article_json(article) for article in page], "next_cursor": next_cursor}
    )


def get_article(request: Request) -> Response:
    article_id = parse_id(request.path_params["article_id"], "article_id")
    with _store(request).read() as connection:
        detail = data.article_detail(connection, article_id)
    if detail is None:
        raise not_found(f"no article with id {article_id}", parameter="article_id")
    return JSONResponse(article_detail_json(detail))


def search_articles(request: Request) -> Response:
    """Hits for `q`, best first, by limit and offset: ranks are not positions to resume from."""
    query = parse_search_query(request.query_params)
    limit, offset = parse_limit(request.query_params), parse_offset(request.query_params)
    with _store(request).read() as connection:
        found = search(connection, query, limit=limit, offset=offset)
    following = offset + limit
    more = following < found.total and following <= MAX_OFFSET
    return JSONResponse(
        {
            "query": query,
            "total": found.total,
            "total_is_exact": found.total_is_exact,
            "items": [search_hit_json(hit) for hit in found.hits],
            "next_offset": following if more else None,
        }
    )


def list_topics(request: Request) -> Response:
    with _store(request).read() as connection:
        summaries = data.topics_index(connection)
    return JSONResponse({"items": [topic_json(summary) for summary in summaries]})


def openapi(_request: Request) -> Response:
    return JSONResponse(openapi_document())


# --- changing sources (a token is required) ----------------------------------------------------


async def _json_body(request: Request) -> Any:
    """The request's JSON body, read no further than MAX_BODY_BYTES."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "unsupported_media_type", "send the body as application/json")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # also bad UTF-8, and arrays nested too deep
        raise bad_parameter("body", "the body is not valid JSON") from None


@dataclass(frozen=True, slots=True)
class _NewSource:
    url: str
    topic: str | None
    content_format: ContentFormat


def _new_source_fields(body: Any) -> _NewSource:
    if not isinstance(body, dict):
        raise bad_parameter("body", 'the body must be an object like {"url": "https://..."}')
    unknown = sorted(set(body) - {"url", "topic", "format"})
    if unknown:
        raise bad_parameter(unknown[0], f"unknown field {unknown[0]!r}")
    url = web_url(body["url"]) if isinstance(body.get("url"), str) else None
    if url is None:
        raise bad_parameter(
            "url", "url must be an http(s) URL of a feed or of a page announcing one"
        )
    topic = body.get("topic")
    name = topic_name(topic) if isinstance(topic, str) else None
    if topic is not None and name is None:
        raise bad_parameter("topic", "topic must be null or a name without control characters")
    return _NewSource(url, name, _format_field(body.get("format", ContentFormat.AUTO.value)))


def _format_field(value: object) -> ContentFormat:
    try:
        return content_format(value)
    except ValueError as exc:
        raise bad_parameter("format", str(exc)) from None


class Sources(HTTPEndpoint):
    """/api/v1/sources: one endpoint for both methods, so a 405 names both in `Allow`."""

    def get(self, request: Request) -> Response:
        with _store(request).read() as connection:
            summaries = data.sources_index(connection)
        return JSONResponse({"items": [source_summary_json(summary) for summary in summaries]})

    async def post(self, request: Request) -> Response:
        from incoming.sources import service

        await require_token(request)
        fields = _new_source_fields(await _json_body(request))
        try:
            added = await service.add_source(
                _store(request),
                fields.url,
                topic=fields.topic,
                fetch_settings=request.app.state.settings.fetch,
                content_format=fields.content_format,
            )
        except SourceExistsError as exc:
            raise ApiError(409, "conflict", str(exc), parameter="url") from None
        except SourceError as exc:
            raise ApiError(422, "unusable_source", str(exc), parameter="url") from None
        new = added.counts.new
        return JSONResponse(
            {"source": source_detail_json(added.source, new), "articles_added": new},
            status_code=201,
        )


def _source_with_count(store: Store, source_id: int) -> tuple[Source, int]:
    with store.read() as connection:
        source = get_source(connection, source_id)
        if source is None:
            raise not_found(f"no source with id {source_id}", parameter="source_id")
        return source, article_counts(connection).get(source_id, 0)


async def remove_source(request: Request) -> Response:
    from incoming.sources import service

    await require_token(request)
    source_id = parse_id(request.path_params["source_id"], "source_id")
    try:
        source, removed = await run_in_threadpool(
            service.remove_source, _store(request), str(source_id)
        )
    except SourceNotFoundError:
        raise not_found(f"no source with id {source_id}", parameter="source_id") from None
    return JSONResponse(
        {"source": source_detail_json(source, removed), "articles_removed": removed}
    )


async def fetch_source(request: Request) -> Response:
    from incoming.sources import service

    await require_token(request)
    source_id = parse_id(request.path_params["source_id"], "source_id")
    store = _store(request)
    try:
        (outcome,) = await service.fetch_sources(
            store, [str(source_id)], fetch_settings=request.app.state.settings.fetch
        )
    except SourceNotFoundError:
        raise not_found(f"no source with id {source_id}", parameter="source_id") from None
    source, articles = await run_in_threadpool(_source_with_count, store, source_id)
    return JSONResponse(outcome_json(outcome, source, articles))


def api_routes() -> list[BaseRoute]:
    """Everything under /api, with its own JSON error handling."""
    routes = [
        Route("/openapi.json", openapi),
        Route("/v1/articles", list_articles),
        Route("/v1/articles/{article_id}", get_article),
        Route("/v1/sources", Sources),
        Route("/v1/sources/{source_id}", remove_source, methods=["DELETE"]),
        Route("/v1/sources/{source_id}/fetch", fetch_source, methods=["POST"]),
        Route("/v1/topics", list_topics),
        Route("/v1/search", search_articles),
    ]
    middleware = [Middleware(ExceptionMiddleware, handlers=EXCEPTION_HANDLERS)]
    return [Mount("/api", routes=routes, middleware=middleware, name="api")]
