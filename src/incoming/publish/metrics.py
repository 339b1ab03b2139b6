"""`/metrics` for Prometheus, and the timing of every request by its route template.

The route label is the template a request matched (`/a/{article_id}/{slug}`, mounts
included), never the raw path, so the number of series stays bounded whatever is requested;
paths no route matches share the label `unmatched`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from incoming.logs import ACCESS_LOGGER
from incoming.metrics import CONTENT_TYPE, record_request, render
from incoming.store.engine import Store
from incoming.store.sources import count_due_sources

UNMATCHED = "unmatched"
access_log = logging.getLogger(ACCESS_LOGGER)


def route_templates(routes: Iterable[BaseRoute], prefix: str = "") -> dict[int, str]:
    """Each route's full template, by the route object's id (Starlette routes are unhashable)."""
    templates: dict[int, str] = {}
    for route in routes:
        if isinstance(route, Mount):
            templates[id(route)] = prefix + route.path
            templates.update(route_templates(route.routes, prefix + route.path))
        elif isinstance(route, Route):
            templates[id(route)] = prefix + route.path
    return templates


class RequestMetricsMiddleware:
    """Times each HTTP request, compression and errors included, and counts its status; with
    `log_requests`, logs it too (route, status and duration are known only here)."""

    def __init__(
        self, app: ASGIApp, *, routes: Iterable[BaseRoute], log_requests: bool = False
    ) -> None:
        self.app = app
        self.templates = route_templates(routes)
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the response starts: an exception escaped

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")  # the innermost route Starlette matched
            template = UNMATCHED if route is None else self.templates.get(id(route), UNMATCHED)
            seconds = time.perf_counter() - started
            record_request(template, scope["method"], status, seconds)
            if self.log_requests:
                _log_request(scope, template, status, seconds)


def _log_request(scope: Scope, route: str, status: int, seconds: float) -> None:
    client = scope.get("client")
    fields = {
        "client": client[0] if client else None,
        "method": scope["method"],
        "path": scope["path"],  # without the query: searches stay out of the logs
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
    }
    access_log.info(
        '%s "%s %s" %d %.1f ms',
        fields["client"],
        fields["method"],
        fields["path"],
        status,
        fields["duration_ms"],
        extra=fields,
    )


def _count_due(store: Store) -> int:
    with store.read() as connection:
        return count_due_sources(connection)


async def metrics_endpoint(request: Request) -> Response:
    due = await run_in_threadpool(_count_due, request.app.state.store)
    return Response(
        render(due_sources=due),
        headers={"Cache-Control": "no-store"},
        media_type=CONTENT_TYPE,
    )


def metrics_routes() -> list[BaseRoute]:
    return [Route("/metrics", metrics_endpoint, methods=["GET"])]
