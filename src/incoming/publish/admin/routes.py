"""The admin pages: log in, see each source's state, add, remove, import OPML, fetch now.

Every change is a POST carrying the session's CSRF token, answered with a redirect back to the
sources page (post/redirect/get) whose result is shown once from the session's flash message.
The pages work without JavaScript; the site's CSP forbids inline script anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from incoming.errors import IncomingError, SourceNotFoundError
from incoming.models import CONTENT_FORMATS, ContentFormat, content_format
from incoming.publish.admin.auth import AdminSettings, LoginRefusedError, log_in, password_is_set
from incoming.publish.admin.sessions import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    current_session,
    forget_cookie,
    login_token,
    set_cookie,
    tokens_match,
)
from incoming.publish.api.payloads import source_state
from incoming.publish.source_input import topic_name, web_url
from incoming.publish.templating import templates
from incoming.store import accounts
from incoming.store.accounts import AdminSession
from incoming.store.engine import Store
from incoming.store.sources import article_counts, find_source, list_sources

# The actions that add, fetch or remove sources import `incoming.sources.service` (the
# fetcher and the parsers) when they first run: a web process starts without them.

DASHBOARD = "/admin"
LOGIN = "/admin/login"
FORM_BODY_LIMIT = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did, shown once on the next page; `background` runs after the answer."""

    message: str
    is_error: bool = False
    background: BackgroundTask | None = None


Action = Callable[[Request, FormData], Awaitable[Done]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _store(request: Request) -> Store:
    return request.app.state.store


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AdminViews:
    """The admin endpoints, sharing one AdminSettings."""

    def __init__(self, settings: AdminSettings) -> None:
        self.settings = settings

    def routes(self) -> list[BaseRoute]:
        upload_limit = self.settings.max_upload_bytes + FORM_BODY_LIMIT
        remove = "/admin/sources/{source_id:int}/remove"
        return [
            Route(DASHBOARD, self.dashboard, name="admin"),
            _page_and_form(LOGIN, self.login_page, self.login),
            _post("/admin/logout", self.logout),
            _post("/admin/sources", self._action(self.add_source)),
            _page_and_form(remove, self.confirm_remove, self._action(self.remove_source)),
            _post("/admin/sources/{source_id:int}/fetch", self._action(self.fetch_source)),
            _post("/admin/fetch", self._action(self.fetch_all)),
            _post("/admin/opml", self._action(self.import_opml), body_limit=upload_limit),
        ]

    def _action(self, action: Action) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            return await self._run(request, action)

        return endpoint

    # --- pages ------------------------------------------------------------------------------

    def _session(self, request: Request) -> AdminSession | None:
        return current_session(_store(request), request, now=utcnow(), settings=self.settings)

    def dashboard(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return RedirectResponse(LOGIN, status_code=303, headers=NO_STORE)
        store = _store(request)
        with store.read() as connection:
            sources = list_sources(connection)
            counts = article_counts(connection)
        if session.flash is not None:
            with store.write() as connection:
                accounts.set_flash(connection, session.id_hash, None)
        rows = [(source, source_state(source), counts.get(source.id, 0)) for source in sources]
        return templates.TemplateResponse(
            request,
            "admin/sources.html",
            {
                "session": session,
                "rows": rows,
                "csrf_field": CSRF_FIELD,
                "content_formats": CONTENT_FORMATS,
            },
            headers=NO_STORE,
        )

    def confirm_remove(self, request: Request) -> Response:
        session = self._session(request)
        if session is None:
            return RedirectResponse(LOGIN, status_code=303, headers=NO_STORE)
        with _store(request).read() as connection:
            try:
                source = find_source(connection, str(request.path_params["source_id"]))
            except SourceNotFoundError as exc:
                raise HTTPException(404, str(exc)) from exc
            articles = article_counts(connection).get(source.id, 0)
        return templates.TemplateResponse(
            request,
            "admin/remove.html",
            {"session": session, "source": source, "articles": articles, "csrf_field": CSRF_FIELD},
            headers=NO_STORE,
        )

    def login_page(self, request: Request) -> Response:
        if self._session(request) is not None:
            return RedirectResponse(DASHBOARD, status_code=303, headers=NO_STORE)
        if not password_is_set(_store(request)):
            return templates.TemplateResponse(request, "admin/unset.html", {}, headers=NO_STORE)
        return self._login_form(request, login_token(request))

    def _login_form(
        self,
        request: Request,
        token: str,
        *,
        error: str | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        response = templates.TemplateResponse(
            request,
            "admin/login.html",
            {"token": token, "error": error, "csrf_field": CSRF_FIELD},
            status_code=status_code,
            headers=NO_STORE | (headers or {}),
        )
        max_age = int(self.settings.session_lifetime.total_seconds())
        set_cookie(response, request, LOGIN_COOKIE, token, max_age)
        return response

    # --- logging in and out -----------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=8)
        expected = request.cookies.get(LOGIN_COOKIE)
        if expected is None or not tokens_match(expected, form.get(CSRF_FIELD)):
            return self._login_form(
                request,
                login_token(request),
                error="The login form had expired. Please try again.",
                status_code=403,
            )
        password = form.get("password")
        try:
            session_id = await run_in_threadpool(
                log_in,
                _store(request),
                password if isinstance(password, str) else "",
                client=_client(request),
                previous_session=request.cookies.get(SESSION_COOKIE),
                now=utcnow(),
                settings=self.settings,
            )
        except LoginRefusedError as refused:
            locked = refused.retry_after is not None
            return self._login_form(
                request,
                expected,
                error=str(refused),
                status_code=429 if locked else 403,
                headers={"Retry-After": str(refused.retry_after)} if locked else None,
            )
        response = RedirectResponse(DASHBOARD, status_code=303, headers=NO_STORE)
        max_age = int(self.settings.session_lifetime.total_seconds())
        set_cookie(response, request, SESSION_COOKIE, session_id, max_age)
        forget_cookie(response, request, LOGIN_COOKIE)
        return response

    async def logout(self, request: Request) -> Response:
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        await run_in_threadpool(_delete_session, _store(request), request.cookies[SESSION_COOKIE])
        response = RedirectResponse(LOGIN, status_code=303, headers=NO_STORE)
        forget_cookie(response, request, SESSION_COOKIE)
        return response

    # --- actions ----------------------------------------------------------------------------

    async def _checked_form(self, request: Request) -> tuple[AdminSession, FormData] | Response:
        """The session and the form it sent, CSRF token checked; else the answer to give."""
        session = await run_in_threadpool(self._session, request)
        if session is None:
            return RedirectResponse(LOGIN, status_code=303, headers=NO_STORE)
        form = await request.form(max_files=1, max_fields=8)
        if not tokens_match(session.csrf_token, form.get(CSRF_FIELD)):
            return templates.TemplateResponse(
                request, "admin/refused.html", status_code=403, headers=NO_STORE
            )
        return session, form

    async def _run(self, request: Request, action: Action) -> Response:
        """Run a checked action and redirect to the sources page, which shows its result."""
        checked = await self._checked_form(request)
        if isinstance(checked, Response):
            return checked
        session, form = checked
        try:
            done = await action(request, form)
        except IncomingError as exc:
            done = Done(str(exc), is_error=True)
        await run_in_threadpool(_flash, _store(request), session, done)
        return RedirectResponse(
            DASHBOARD, status_code=303, headers=NO_STORE, background=done.background
        )

    async def add_source(self, request: Request, form: FormData) -> Done:
        from incoming.sources import service

        url = web_url(_text(form, "url"))
        if url is None:
            return Done(
                "Give an http(s) feed URL (folders of notes are added on the server with "
                "`incoming add`).",
                is_error=True,
            )
        topic = _text(form, "topic")
        if topic and topic_name(topic) is None:
            return Done("A topic cannot hold control characters.", is_error=True)
        try:
            chosen = content_format(_text(form, "format") or ContentFormat.AUTO.value)
        except ValueError as exc:
            return Done(f"The content {exc}.", is_error=True)
        added = await service.add_source(
            _store(request),
            url,
            topic=topic_name(topic),
            fetch_settings=request.app.state.settings.fetch,
            content_format=chosen,
        )
        return Done(f"Added {added.source.display_name}: {added.counts.new} articles.")

    async def remove_source(self, request: Request, form: FormData) -> Done:
        from incoming.sources import service

        reference = str(request.path_params["source_id"])
        removed, count = await run_in_threadpool(service.remove_source, _store(request), reference)
        return Done(f"Removed {removed.display_name} and its {count} articles.")

    async def fetch_source(self, request: Request, form: FormData) -> Done:
        from incoming.sources import service

        reference = str(request.path_params["source_id"])
        (outcome,) = await service.fetch_sources(
            _store(request), [reference], fetch_settings=request.app.state.settings.fetch
        )
        if outcome.error is not None:
            return Done(f"Fetching {outcome.name} failed: {outcome.error}", is_error=True)
        if outcome.not_modified:
            return Done(f"{outcome.name}: not modified since the last fetch.")
        counts = outcome.counts
        return Done(f"Fetched {outcome.name}: {counts.new} new, {counts.updated} updated.")

    async def fetch_all(self, request: Request, form: FormData) -> Done:
        from incoming.sources import service

        task = BackgroundTask(
            service.fetch_sources,
            _store(request),
            None,
            fetch_settings=request.app.state.settings.fetch,
        )
        return Done(
            "Fetching every source in the background: reload to see the results.", background=task
        )

    async def import_opml(self, request: Request, form: FormData) -> Done:
        from incoming.sources import service

        upload = form.get("opml")
        if not isinstance(upload, UploadFile):
            return Done("Choose an OPML file to import.", is_error=True)
        data = await upload.read()
        report = await run_in_threadpool(service.import_opml, _store(request), data)
        refused = f"; {len(report.refused)} were not http(s) URLs" if report.refused else ""
        return Done(
            f"Imported {len(report.added)} sources ({len(report.skipped)} were there already"
            f"{refused}); they are fetched on the next run."
        )


def _post(path: str, endpoint: Endpoint, *, body_limit: int = FORM_BODY_LIMIT) -> Route:
    return Route(path, endpoint, methods=["POST"], max_body_size=body_limit)


def _page_and_form(path: str, page: Callable[[Request], Response], form: Endpoint) -> Route:
    """One route for a page and the form it posts, so a 405 lists both methods in `Allow`."""

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            return await form(request)
        return await run_in_threadpool(page, request)

    return Route(path, endpoint, methods=["GET", "POST"], max_body_size=FORM_BODY_LIMIT)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _delete_session(store: Store, session_id: str) -> None:
    with store.write() as connection:
        accounts.delete_session(connection, session_id)


def _flash(store: Store, session: AdminSession, done: Done) -> None:
    with store.write() as connection:
        accounts.set_flash(connection, session.id_hash, done.message, is_error=done.is_error)


def admin_routes(settings: AdminSettings | None = None) -> list[BaseRoute]:
    """The /admin routes; handlers use `request.app.state.store`."""
    return AdminViews(settings or AdminSettings()).routes()
