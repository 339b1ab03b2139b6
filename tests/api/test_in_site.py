"""The API and admin inside the whole site: JSON errors stay JSON, pages get the site's headers."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings
from incoming.store.engine import Store
from tests.api.support import make_app, open_client
from tests.api.test_errors import error_of
from tests.publish.support import TEST_HOSTS

pytestmark = pytest.mark.anyio


async def test_api_errors_stay_json_inside_the_site(store: Store) -> None:
    async with open_client(
        create_app(store, SiteSettings(refresh=False, allowed_hosts=TEST_HOSTS))
    ) as client:
        assert error_of(await client.get("/api/v1/articles/0"), 400)["parameter"] == "article_id"
        assert error_of(await client.get("/api/v1/nothing"), 404)["code"] == "not_found"
        assert error_of(await client.delete("/api/v1/topics"), 405)["code"] == "method_not_allowed"
        assert (await client.get("/api/openapi.json")).json()["openapi"] == "3.1.0"
        login = await client.get("/admin/login")
        assert login.status_code == 200
        assert "script-src 'self'" in login.headers["content-security-policy"]
        assert login.headers["cache-control"] == "no-store"


async def test_a_database_that_is_down_is_a_503() -> None:
    unreachable = Store(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    async with open_client(make_app(unreachable)) as client:
        answer = await client.get("/api/v1/articles")
    assert error_of(answer, 503)["code"] == "unavailable"
    assert answer.headers["retry-after"] == "5"
