"""Fuzzing the public site: the JSON API from its OpenAPI (schemathesis), the HTML routes and
their parameters (hypothesis). Never a 500, never slow. Budgets: tests/support/fuzz.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from incoming.store.engine import open_store
from tests.hostile.vectors import VECTORS
from tests.publish.support import SETTINGS, seed
from tests.support.browser import live_site
from tests.support.fuzz import budget

MAX_SECONDS = 2.0
ANSWERS = {200, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 422}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site on a real port (uvicorn), on a seeded SQLite store."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'site.db'}")
    seed(store)
    with live_site(store, SETTINGS) as url:
        yield url
    store.close()


@pytest.fixture(scope="module")
def client(site: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site, follow_redirects=False, timeout=30) as running:
        yield running


@pytest.fixture(scope="module")
def api_schema(site: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{site}/api/openapi.json")


def test_the_api_answers_every_generated_request_as_documented(
    api_schema: schemathesis.BaseSchema,
) -> None:
    """Every operation of the OpenAPI document, with cases generated from it (schemathesis's
    pytest plugin does not run under this pytest: its strategies are driven here instead)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    print(f"{len(operations)} API operations fuzzed")

    for operation in operations:

        @budget(25)
        @given(case=operation.as_strategy())
        def answers_as_documented(case: schemathesis.Case) -> None:
            started = time.perf_counter()
            response = case.call()
            assert time.perf_counter() - started < MAX_SECONDS
            assert response.status_code < 500, (case.path, response.text)
            case.validate_response(
                response,
                checks=[
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

        answers_as_documented()


SEGMENT = st.one_of(
    st.integers(-5, 10**20).map(str),
    st.text(max_size=30),
    st.sampled_from(["0", "1", "2", "01", "1e3", "%00", "..", "%2e%2e", "nlp", "深度学习"]),
    st.sampled_from(VECTORS),
)
TEMPLATES = [
    "/{}",
    "/page/{}",
    "/a/{}",
    "/a/{}/{}",
    "/source/{}",
    "/source/{}/page/{}",
    "/source/{}/feed.{}",
    "/topic/{}",
    "/topic/{}/page/{}",
    "/topic/{}/feed.{}",
    "/feed.{}",
    "/static/{}",
    "/search?q={}&page={}",
    "/search?q={}",
    "/?page={}&{}={}",
]


@budget(150)
@given(
    template=st.sampled_from(TEMPLATES),
    parts=st.lists(SEGMENT, min_size=3, max_size=3),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_html_routes_never_fail_on_any_parameter(
    client: httpx.Client, template: str, parts: list[str], method: str
) -> None:
    path = template.format(*(quote(part, safe="") for part in parts[: template.count("{}")]))
    started = time.perf_counter()
    response = client.request(method, path)
    assert time.perf_counter() - started < MAX_SECONDS, path
    assert response.status_code in ANSWERS, (path, response.status_code)


def test_the_schema_is_the_served_one(client: httpx.Client) -> None:
    """The fuzzing above read /api/openapi.json from the running site, not from a copy."""
    assert client.get("/api/openapi.json").json()["openapi"].startswith("3.")
