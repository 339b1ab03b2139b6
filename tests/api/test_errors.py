"""Bad input to the API: always the one JSON error shape, naming the parameter, never a 500."""

from __future__ import annotations

import pytest
from httpx import AsyncClient, Response

from tests.api.support import Seeded

pytestmark = pytest.mark.anyio


def error_of(answer: Response, status: int) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "parameter"}
    assert body["error"]["status"] == status
    assert body["error"]["message"]
    return body["error"]


async def test_the_error_shape_is_pinned(client: AsyncClient) -> None:
    answer = await client.get("/api/v1/articles", params={"limit": "0"})
    assert answer.status_code == 400
    assert answer.json() == {
        "error": {
            "status": 400,
            "code": "bad_parameter",
            "message": "limit must be an integer from 1 to 100",
            "parameter": "limit",
        }
    }


BAD_PARAMETERS = [
    ("limit", "0"),
    ("limit", "101"),
    ("limit", "abc"),
    ("limit", "-1"),
    ("limit", "1.5"),
    ("limit", " 5"),
    ("limit", "+5"),
    ("limit", "٥"),  # an Arabic-Indic five: int() takes it, the API does not
    ("limit", ""),
    ("limit", "9" * 40),
    ("cursor", "x"),
    ("cursor", ""),
    ("cursor", "5"),
    ("cursor", "-5.3"),
    ("cursor", "5.3.1"),
    ("cursor", "٥.3"),
    ("cursor", "5.3\n"),
    ("cursor", "9" * 19 + ".3"),
    ("cursor", "5." + "9" * 20),
    ("cursor", "\x00"),
    ("before", "yesterday"),
    ("before", "2025-13-01"),
    ("before", "2025-02-30"),
    ("before", "2025-01-01T25:00:00Z"),
    ("before", "2025-01-01T10:00"),  # RFC 3339 wants seconds and an offset
    ("before", "2025-01-01T10:00:00"),
    ("before", "0000-01-01"),
    ("before", "2025-01-01\n"),
    ("before", "20250101"),
    ("after", "2025-W01-1"),
    ("after", "2025-01-01 10:00:00Z"),
    ("after", ""),
    ("source", "abc"),
    ("source", "0"),
    ("source", "-3"),
    ("source", "99999999999999999999"),
    ("source", "9223372036854775808"),  # one past the largest id
    ("topic", ""),
]


async def test_each_bad_parameter_is_a_400_naming_it(client: AsyncClient) -> None:
    """One test over every case: each would otherwise set up its own databases."""
    for parameter, value in BAD_PARAMETERS:
        answer = await client.get("/api/v1/articles", params={parameter: value})
        error = error_of(answer, 400)
        assert (error["code"], error["parameter"]) == ("bad_parameter", parameter), value


UNKNOWN_FILTERS = [
    ("source", "9223372036854775807"),
    ("source", "424242"),
    ("topic", "no-such-topic"),
    ("topic", "nul\x00byte"),
    ("topic", "注意力"),
]


async def test_unknown_filters_are_404(client: AsyncClient, seeded: Seeded) -> None:
    for parameter, value in UNKNOWN_FILTERS:
        error = error_of(await client.get("/api/v1/articles", params={parameter: value}), 404)
        assert (error["code"], error["parameter"]) == ("not_found", parameter), value


async def test_malformed_article_ids_are_400(client: AsyncClient) -> None:
    for article_id in ["abc", "0", "-1", "1.0", "99999999999999999999", "%00", "٣"]:
        error = error_of(await client.get(f"/api/v1/articles/{article_id}"), 400)
        assert error["parameter"] == "article_id", article_id


async def test_unknown_article_is_404(client: AsyncClient, seeded: Seeded) -> None:
    error = error_of(await client.get("/api/v1/articles/9223372036854775807"), 404)
    assert error == {
        "status": 404,
        "code": "not_found",
        "message": "no article with id 9223372036854775807",
        "parameter": "article_id",
    }


async def test_unknown_paths_and_methods_answer_in_the_same_shape(client: AsyncClient) -> None:
    assert error_of(await client.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    assert error_of(await client.get("/api/v2/articles"), 404)["parameter"] is None
    wrong = await client.put("/api/v1/articles", content=b"{}")
    assert error_of(wrong, 405)["code"] == "method_not_allowed"
    assert "GET" in wrong.headers["allow"]


async def test_extreme_bounds_are_the_ends_of_time(client: AsyncClient, seeded: Seeded) -> None:
    """Valid RFC 3339 times beyond year 1 or 9999 in UTC bound like the first or last time."""
    everything = seeded.ids()[:5]
    for params in (
        {"before": "9999-12-31T23:59:59-05:00"},
        {"after": "0001-01-01T00:00:00+05:00"},
        {"cursor": "999999999999999999.9999999999999999999"},
    ):
        answer = await client.get("/api/v1/articles", params=params | {"limit": 5})
        assert [item["id"] for item in answer.json()["items"]] == everything, params
    for params in ({"before": "0001-01-01T00:00:00+05:00"}, {"cursor": "0.0"}):
        answer = await client.get("/api/v1/articles", params=params)
        assert answer.json() == {"items": [], "next_cursor": None}, params


async def test_a_cursor_from_another_filter_still_pages(
    client: AsyncClient, seeded: Seeded
) -> None:
    """A cursor is only a position: reused with other filters it still starts after it."""
    first = (await client.get("/api/v1/articles", params={"limit": 5})).json()
    other = await client.get(
        "/api/v1/articles", params={"cursor": first["next_cursor"], "topic": "nlp", "limit": 100}
    )
    assert other.status_code == 200
    after = {article_id for article_id in seeded.ids()[5:]}
    assert {item["id"] for item in other.json()["items"]} == after & set(seeded.ids(topic="nlp"))
