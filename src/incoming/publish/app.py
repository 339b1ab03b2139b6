"""The web application: the site's pages and feeds, the JSON API and the admin, on one store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from incoming.publish.admin.routes import admin_routes
from incoming.publish.api.routes import api_routes
from incoming.publish.background import refresh_forever
from incoming.publish.hosts import AllowedHostsMiddleware, HostPolicy
from incoming.publish.http import (
    IMMUTABLE_CACHE_CONTROL,
    SECURITY_HEADERS,
    CompressOthersMiddleware,
    SecurityHeadersMiddleware,
    respond,
)
from incoming.publish.metrics import RequestMetricsMiddleware, metrics_routes
from incoming.publish.pages import page_routes
from incoming.publish.settings import SiteSettings
from incoming.publish.site import Site
from incoming.publish.templating import environment
from incoming.store.engine import Store

log = logging.getLogger(__name__)
ERROR_MESSAGES = {
    404: "Nothing is transmitting on this frequency.",
    405: "This address does not answer that kind of request.",
    503: "The archive is not answering right now. Try again in a moment.",
    500: "Something went wrong on our side. It has been logged.",
}


def _error_page(request: Request, status: int, headers: dict[str, str] | None = None) -> Response:
    """A themed error page; it needs no database, so it renders even when that is down."""
    body = environment.get_template("error.html").render(
        site=request.app.state.settings,
        assets=request.app.state.assets,
        status=status,
        message=ERROR_MESSAGES.get(status, "That did not work."),
    )
    return Response(
        body,
        status,
        headers={**(headers or {}), "Cache-Control": "no-cache"},
        media_type="text/html; charset=utf-8",
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_page(request, exc.status_code, exc.headers)


async def store_unavailable(request: Request, exc: Exception) -> Response:
    log.error("the store is unavailable: %s", exc)
    return _error_page(request, 503, {"Retry-After": "30"})


async def server_error(request: Request, _exc: Exception) -> Response:
    """Outside every middleware: it adds the security headers itself. The error is logged by
    the server once this answer is sent."""
    response = _error_page(request, 500)
    response.headers.update({name.decode(): value.decode() for name, value in SECURITY_HEADERS})
    return response


async def static_asset(request: Request) -> Response:
    """A static file; URLs carrying its current hash (`?v=`) may be cached for good."""
    rendered = request.app.state.site.static.get(request.path_params["name"])
    if rendered is None:
        raise HTTPException(404)
    response = respond(request, rendered)
    if request.query_params.get("v") == rendered.etag.strip('"'):
        response.headers["Cache-Control"] = IMMUTABLE_CACHE_CONTROL
    return response


def create_app(
    store: Store, settings: SiteSettings | None = None, *, close_store: bool = False
) -> Starlette:
    """The site on `store`; with close_store the app closes it when it shuts down (for
    worker processes that opened their own)."""
    settings = settings or SiteSettings()
    site = Site(store, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(refresh_forever(store, settings)) if settings.refresh else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if close_store:
                store.close()

    routes = [  # the busiest first: Starlette tries them in order
        *page_routes(),
        Route("/static/{name:path}", static_asset),
        *api_routes(),
        *admin_routes(),
        *metrics_routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            # Outermost, so that everything after it (logs, login limits, cookies) sees the
            # real client and scheme; only trusted proxies' X-Forwarded-* are believed.
            Middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips)),
            Middleware(RequestMetricsMiddleware, routes=routes, log_requests=settings.access_log),
            Middleware(SecurityHeadersMiddleware),
            Middleware(
                AllowedHostsMiddleware,
                policy=HostPolicy(settings.allowed_hosts, settings.base_url),
            ),
            Middleware(CompressOthersMiddleware, prefixes=("/api/", "/admin")),
        ],
        exception_handlers={
            HTTPException: http_error,
            OperationalError: store_unavailable,
            Exception: server_error,
        },
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.site = site
    app.state.assets = site.assets
    return app
