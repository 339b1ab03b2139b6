"""The JSON API's one error shape, for its own errors and for Starlette's (404, 405...).

    {"error": {"status": 400, "code": "bad_parameter", "message": "...", "parameter": "limit"}}

`parameter` names the query, path or body parameter at fault, or is null.
"""

from __future__ import annotations

from http import HTTPStatus

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from incoming.store.engine import is_busy


class ApiError(Exception):
    """An answer other than success, raised anywhere under a handler of the API."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter
        self.headers = headers


def bad_parameter(parameter: str, message: str) -> ApiError:
    return ApiError(400, "bad_parameter", message, parameter=parameter)


def not_found(message: str, *, parameter: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message, parameter=parameter)


def error_response(error: ApiError) -> JSONResponse:
    body = {
        "error": {
            "status": error.status,
            "code": error.code,
            "message": error.message,
            "parameter": error.parameter,
        }
    }
    return JSONResponse(body, status_code=error.status, headers=error.headers)


async def handle_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def handle_http_exception(_request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (unknown path, wrong method, bad form) in the API's shape."""
    assert isinstance(exc, HTTPException)
    status = HTTPStatus(exc.status_code)
    code = status.phrase.lower().replace(" ", "_").replace("-", "_")
    return error_response(ApiError(exc.status_code, code, exc.detail, headers=exc.headers))


async def handle_database_down(_request: Request, exc: Exception) -> Response:
    """The database is unreachable (PostgreSQL restarting), or SQLite's write lock stayed
    held past the busy timeout: 503, and the client may retry."""
    assert isinstance(exc, OperationalError)
    state = "busy" if is_busy(exc) else "unavailable"
    return error_response(
        ApiError(
            503,
            "unavailable",
            f"the database is {state}; try again shortly",
            headers={"Retry-After": "5"},
        )
    )


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    HTTPException: handle_http_exception,
    OperationalError: handle_database_down,
}
