"""Driving the admin pages as a browser would: read the form's token, send it back."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

from argon2 import PasswordHasher
from httpx import AsyncClient, Response

from incoming.publish.admin.auth import AdminSettings

PASSWORD = "correct horse battery staple"
# Verifying a password costs what its hash says: tests store a cheap one to stay fast.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
CHEAP_SETTINGS = AdminSettings(hasher=CHEAP_HASHER)
_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def form_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def log_in(client: AsyncClient, password: str = PASSWORD) -> Response:
    page = await client.get("/admin/login")
    return await client.post(
        "/admin/login", data={"csrf": form_token(page.text), "password": password}
    )


async def post_form(
    client: AsyncClient, path: str, data: dict[str, str] | None = None, files: Any = None
) -> Response:
    """POST a form of the sources page, with the token that page carries."""
    page = await client.get("/admin")
    assert page.status_code == 200, page.text
    return await client.post(
        path, data={"csrf": form_token(page.text), **(data or {})}, files=files
    )


def set_cookies(answer: Response) -> dict[str, dict[str, Any]]:
    """The cookies an answer sets, by name: value and attributes (flags as True)."""
    found: dict[str, dict[str, Any]] = {}
    for header in answer.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            found[name] = {"value": morsel.value} | {
                key: value for key, value in morsel.items() if value
            }
    return found
