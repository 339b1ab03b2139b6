"""/api/v1/search: hits best first by limit and offset, bounds as documented, never a 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incoming.publish.api.openapi import openapi_document
from incoming.publish.api.params import MAX_LIMIT, MAX_OFFSET
from incoming.publish.data import SEARCH_MAX_CHARS
from tests.api.support import Seeded
from tests.api.test_errors import error_of
from tests.api.test_openapi import conforms

pytestmark = pytest.mark.anyio

SEARCH = "/api/v1/search"


async def search_through(client: AsyncClient, query: str, limit: int) -> list[dict[str, Any]]:
    """Every hit, following next_offset to the end."""
    hits: list[dict[str, Any]] = []
    params: dict[str, Any] = {"q": query, "limit": limit}
    for _ in range(100):
        body = (await client.get(SEARCH, params=params)).json()
        hits += body["items"]
        if body["next_offset"] is None:
            return hits
        assert len(body["items"]) == limit
        params["offset"] = body["next_offset"]
    raise AssertionError("next_offset never reached the end")


async def test_hits_match_the_schema_and_carry_marks(client: AsyncClient, seeded: Seeded) -> None:
    answer = await client.get(SEARCH, params={"q": "full"})
    assert answer.status_code == 200
    body = answer.json()
    conforms(openapi_document(), "SearchPage", body)
    assert (body["query"], body["total"], body["next_offset"]) == ("full", 45, 20)
    assert len(body["items"]) == 20
    first = body["items"][0]
    assert "<mark>" in first["snippet_html"]
    assert unquote(first["link"]).startswith(f"/a/{first['id']}/")
    assert first["source"]["title"] in ("甲", "乙", "notes")
    scores = [hit["score"] for hit in body["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_offsets_page_through_every_hit_once(client: AsyncClient, seeded: Seeded) -> None:
    hits = await search_through(client, "全文", limit=7)
    assert sorted(hit["id"] for hit in hits) == sorted(seeded.ids())
    titled = (await client.get(SEARCH, params={"q": "第 44 篇"})).json()
    assert titled["items"][0]["title"] == "第 44 篇 article 44"
    assert "<mark>" in titled["items"][0]["title_html"]


async def test_the_bounds_are_inclusive(client: AsyncClient, seeded: Seeded) -> None:
    edges = [
        {"q": "x" * SEARCH_MAX_CHARS},
        {"q": ""},
        {"q": "full", "limit": MAX_LIMIT},
        {"q": "full", "limit": 1, "offset": 0},
        {"q": "full", "offset": MAX_OFFSET},
    ]
    for params in edges:
        answer = await client.get(SEARCH, params=params)
        assert answer.status_code == 200, params
        conforms(openapi_document(), "SearchPage", answer.json())
    deep = (await client.get(SEARCH, params={"q": "full", "offset": 44})).json()
    assert (len(deep["items"]), deep["next_offset"]) == (1, None)


BAD = [
    ({}, "q"),
    ({"q": "x" * (SEARCH_MAX_CHARS + 1)}, "q"),
    ({"q": "注" * 3_000}, "q"),
    ({"q": "full", "limit": "0"}, "limit"),
    ({"q": "full", "limit": str(MAX_LIMIT + 1)}, "limit"),
    ({"q": "full", "limit": "abc"}, "limit"),
    ({"q": "full", "offset": "-1"}, "offset"),
    ({"q": "full", "offset": str(MAX_OFFSET + 1)}, "offset"),
    ({"q": "full", "offset": "1.5"}, "offset"),
    ({"q": "full", "offset": ""}, "offset"),
    ({"q": "full", "offset": "9" * 40}, "offset"),
]


async def test_bad_parameters_are_a_400_naming_them(client: AsyncClient) -> None:
    for params, parameter in BAD:
        error = error_of(await client.get(SEARCH, params=params), 400)
        assert (error["code"], error["parameter"]) == ("bad_parameter", parameter), params
    assert error_of(await client.post(SEARCH), 405)["code"] == "method_not_allowed"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.text(max_size=SEARCH_MAX_CHARS + 5)
    | st.sampled_from(['"*', "NEAR(", "'--", '"', "-", "OR", "source:", "after:x", "全文 -full"]),
    limit=st.none() | st.integers(-2, MAX_LIMIT + 2),
    offset=st.none() | st.integers(-2, MAX_OFFSET + 2),
)
async def test_any_input_is_an_answer_or_a_400(
    client: AsyncClient, seeded: Seeded, query: str, limit: int | None, offset: int | None
) -> None:
    params = {"q": query, "limit": limit, "offset": offset}
    answer = await client.get(SEARCH, params={k: v for k, v in params.items() if v is not None})
    if answer.status_code == 200:
        conforms(openapi_document(), "SearchPage", answer.json())
    else:
        assert error_of(answer, 400)["parameter"] in ("q", "limit", "offset")
