"""The OpenAPI document: valid, complete, and true of what the API answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from httpx import AsyncClient
from jsonschema import Draft202012Validator
from starlette.endpoints import HTTPEndpoint
from starlette.routing import Mount, Route

from incoming.publish.api.openapi import openapi_document
from incoming.publish.api.routes import api_routes
from tests.api.support import Seeded

pytestmark = pytest.mark.anyio


def operations() -> set[tuple[str, str]]:
    """(path, method) of every route the API serves, in OpenAPI's path syntax."""
    found: set[tuple[str, str]] = set()
    for mount in api_routes():
        assert isinstance(mount, Mount)
        for route in mount.routes:
            assert isinstance(route, Route)
            if isinstance(route.endpoint, type) and issubclass(route.endpoint, HTTPEndpoint):
                methods = {m for m in ("get", "post", "delete") if hasattr(route.endpoint, m)}
            else:
                methods = {method.lower() for method in route.methods or ()} - {"head"}
            if route.path != "/openapi.json":
                found.update((mount.path + route.path, method) for method in methods)
    return found


def conforms(document: dict[str, Any], schema_name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": document["components"]}
    Draft202012Validator(schema).validate(instance)


async def test_document_is_json_with_every_path_and_method(client: AsyncClient) -> None:
    answer = await client.get("/api/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented == operations()
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_ref_resolves_and_path_parameters_are_declared() -> None:
    document = openapi_document()
    text = repr(document)
    for ref in re.findall(r"'\$ref': '#/components/schemas/(\w+)'", text):
        assert ref in document["components"]["schemas"]
    for path, item in document["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, path
            assert "200" in operation["responses"] or "201" in operation["responses"]


async def test_answers_match_their_schemas(client: AsyncClient, seeded: Seeded) -> None:
    document = openapi_document()
    page = (await client.get("/api/v1/articles", params={"limit": 3})).json()
    conforms(document, "ArticlePage", page)
    article_id = page["items"][0]["id"]
    conforms(document, "ArticleDetail", (await client.get(f"/api/v1/articles/{article_id}")).json())
    conforms(document, "SourceList", (await client.get("/api/v1/sources")).json())
    conforms(document, "TopicList", (await client.get("/api/v1/topics")).json())
    conforms(document, "Error", (await client.get("/api/v1/articles/0")).json())
    conforms(document, "Error", (await client.put("/api/v1/topics")).json())
