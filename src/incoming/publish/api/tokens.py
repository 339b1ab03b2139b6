"""Bearer tokens for the API's writes: `Authorization: Bearer incoming_...`."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from incoming.publish.api.errors import ApiError
from incoming.store import accounts
from incoming.store.accounts import ApiToken
from incoming.store.engine import Store


def _use_token(store: Store, secret: str) -> ApiToken | None:
    """The known token, marked as used; an unknown one is refused after a read only, so that a
    flood of made-up tokens never takes SQLite's write lock from the fetchers."""
    with store.read() as connection:
        if accounts.find_token(connection, secret) is None:
            return None
    with store.write() as connection:
        return accounts.use_token(connection, secret, now=datetime.now(UTC))


async def require_token(request: Request) -> ApiToken:
    """The token the request carries; a 401 in the API's error shape if none or unknown."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(
            401,
            "unauthorized",
            "this needs an API token: Authorization: Bearer <token> "
            "(create one with `incoming admin create-token`)",
            headers={"WWW-Authenticate": 'Bearer realm="incoming"'},
        )
    token = await run_in_threadpool(_use_token, request.app.state.store, secret.strip())
    if token is None:
        raise ApiError(
            401,
            "invalid_token",
            "the API token is not known (revoked, or mistyped)",
            headers={"WWW-Authenticate": 'Bearer realm="incoming", error="invalid_token"'},
        )
    return token
