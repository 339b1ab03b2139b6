"""Admin cookies and CSRF: which browser is logged in, and proof that a form came from our page.

Cookies are HttpOnly, SameSite=Strict, limited to /admin, and Secure whenever the request came
over HTTPS (the app's proxy-headers middleware turns `X-Forwarded-Proto: https` from a proxy in
`forwarded_allow_ips` into an HTTPS request). Each session has its own random CSRF token,
checked on every POST; the login form, which comes before any session, uses a double-submit
cookie instead.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from incoming.publish.admin.auth import AdminSettings
from incoming.store import accounts
from incoming.store.accounts import AdminSession
from incoming.store.engine import Store

SESSION_COOKIE = "incoming_admin"
LOGIN_COOKIE = "incoming_login"
COOKIE_PATH = "/admin"
CSRF_FIELD = "csrf"
# How stale `last_seen_at` may get before a request refreshes it: fewer writes, same idle limit.
TOUCH_AFTER = timedelta(minutes=1)


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def forget_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(
        name,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def current_session(
    store: Store, request: Request, *, now: datetime, settings: AdminSettings
) -> AdminSession | None:
    """The live session the request's cookie names, its last-seen time refreshed; or None."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    with store.read() as connection:
        session = accounts.find_session(
            connection,
            session_id,
            created_after=now - settings.session_lifetime,
            seen_after=now - settings.session_idle,
        )
    if session is not None and now - session.last_seen_at > TOUCH_AFTER:
        with store.write() as connection:
            accounts.touch_session(connection, session.id_hash, now=now)
    return session


def tokens_match(expected: str, given: object) -> bool:
    """Constant-time comparison of a CSRF token with what a form (maybe hostile) sent."""
    return isinstance(given, str) and secrets.compare_digest(expected.encode(), given.encode())


def login_token(request: Request) -> str:
    """The login form's CSRF token: the browser's existing one (two tabs stay valid), or new."""
    existing = request.cookies.get(LOGIN_COOKIE, "")
    return existing if len(existing) >= 32 else secrets.token_urlsafe(32)
