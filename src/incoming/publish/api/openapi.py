"""The hand-written OpenAPI 3.1 document of the JSON API, served at /api/openapi.json.

It is the contract fuzzers test the API against, so it states exactly what the handlers
accept (the same limits and patterns as `params`) and every status they answer.
"""

from __future__ import annotations

from typing import Any

from incoming import __version__
from incoming.models import CONTENT_FORMATS, ContentFormat
from incoming.publish.api.params import (
    CURSOR_PATTERN,
    DEFAULT_LIMIT,
    MAX_ID,
    MAX_LIMIT,
    MAX_OFFSET,
)
from incoming.publish.data import SEARCH_MAX_CHARS

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


ERROR_MEANINGS = {
    400: "A parameter or the body is malformed (`parameter` names it).",
    401: "The bearer token is missing or unknown.",
    404: "No such resource (`parameter` names the id or filter at fault).",
    409: "The source is stored already.",
    413: "The body is too large.",
    415: "The body is not JSON.",
    422: "The URL could not be added: unreachable, or not a feed.",
    503: "The database is unavailable for now; retry later.",
}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _json(_ref("Error"), ERROR_MEANINGS[status]) for status in statuses}


ID = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
TIME = {"type": "string", "format": "date-time"}
DATE_OR_TIME = {"anyOf": [{"type": "string", "format": "date"}, TIME]}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _required_query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return _query(name, schema, description) | {"required": True}


def _path_id(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID, "description": description}


REF = _object({"id": ID, "title": {"type": "string"}})  # a link to an article or a source
LIMIT = _query(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    "Items per page.",
)
TOPIC_REF = _object({"slug": {"type": "string"}, "name": {"type": "string"}})

ARTICLE_FIELDS: dict[str, Any] = {
    "id": ID,
    "title": {"type": "string"},
    "link": {"type": "string", "description": "The article's page on this hub (a path)."},
    "url": _nullable("string", description="The original article."),
    "author": _nullable("string"),
    "language": _nullable("string"),
    "published": _nullable("string", format="date-time"),
    "updated": TIME | {"description": "When it last changed: the order of the list."},
    "source": REF,
    "topics": {"type": "array", "items": TOPIC_REF},
    "excerpt_html": {"type": "string"},
    "gone": {"type": "boolean", "description": "No longer in its source's feed."},
}

FORMAT: dict[str, Any] = {
    "type": "string",
    "enum": list(CONTENT_FORMATS),
    "default": ContentFormat.AUTO.value,
    "description": "How the feed's entry content is read: `auto` reads each as what it turns"
    " out to be (HTML, Markdown or plain text); the others fix it for the rare feed that"
    " guessing gets wrong.",
}

SOURCE_FIELDS: dict[str, Any] = {
    "id": ID,
    "link": {"type": "string", "description": "The source's page on this hub (a path)."},
    "kind": {"type": "string", "enum": ["feed", "notes"]},
    "title": {"type": "string"},
    "url": _nullable("string", description="The feed's URL (null for notes folders)."),
    "site_url": _nullable("string"),
    "topic": _nullable("string"),
    "articles": {"type": "integer", "minimum": 0},
    "state": {"type": "string", "enum": ["new", "ok", "failing"]},
    "last_success_at": _nullable("string", format="date-time"),
}

SCHEMAS: dict[str, Any] = {
    "Error": _object(
        {
            "error": _object(
                {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "parameter": _nullable("string"),
                }
            )
        }
    ),
    "Article": _object(ARTICLE_FIELDS),
    "ArticleDetail": _object(
        ARTICLE_FIELDS
        | {
            "content_html": {"type": "string"},
            "content_text": {"type": "string"},
            "newer": {"oneOf": [REF, {"type": "null"}]},
            "older": {"oneOf": [REF, {"type": "null"}]},
        }
    ),
    "ArticlePage": _object(
        {
            "items": {"type": "array", "items": _ref("Article")},
            "next_cursor": _nullable(
                "string",
                pattern=CURSOR_PATTERN,
                description="Pass as `cursor` for the next page; null on the last.",
            ),
        }
    ),
    "SearchHit": _object(
        {
            "id": ID,
            "title": {"type": "string"},
            "title_html": {
                "type": "string",
                "description": "The title, escaped, with the matched parts in `<mark>`.",
            },
            "link": {"type": "string", "description": "The article's page on this hub (a path)."},
            "url": _nullable("string", description="The original article."),
            "published": _nullable("string", format="date-time"),
            "updated": TIME,
            "source": REF,
            "score": {"type": "number", "description": "Relevance: higher is better."},
            "snippet_html": {
                "type": "string",
                "description": "Text around the best match, escaped, matches in `<mark>`.",
            },
        }
    ),
    "SearchPage": _object(
        {
            "query": {"type": "string"},
            "total": {
                "type": "integer",
                "minimum": 0,
                "description": "Hits on all pages: every one, or at least this many.",
            },
            "total_is_exact": {
                "type": "boolean",
                "description": (
                    "False when matches were counted only up to a limit (201, or one past"
                    " the page asked for): there are more, and next_offset leads to them."
                ),
            },
            "items": {"type": "array", "items": _ref("SearchHit")},
            "next_offset": _nullable(
                "integer",
                minimum=1,
                maximum=MAX_OFFSET,
                description="Pass as `offset` for the next page; null on the last.",
            ),
        }
    ),
    "Source": _object(SOURCE_FIELDS),
    "SourceDetail": _object(
        SOURCE_FIELDS
        | {
            "format": FORMAT,
            "error_count": {"type": "integer", "minimum": 0},
            "last_error": _nullable("string"),
            "last_error_at": _nullable("string", format="date-time"),
            "last_checked_at": _nullable("string", format="date-time"),
            "next_check_at": _nullable("string", format="date-time"),
        }
    ),
    "SourceList": _object({"items": {"type": "array", "items": _ref("Source")}}),
    "Topic": _object(
        {
            "slug": {"type": "string"},
            "link": {"type": "string", "description": "The topic's page on this hub (a path)."},
            "name": {"type": "string"},
            "articles": {"type": "integer", "minimum": 0},
        }
    ),
    "TopicList": _object({"items": {"type": "array", "items": _ref("Topic")}}),
    "NewSource": {
        "type": "object",
        "required": ["url"],
        "properties": {
            "url": {
                "type": "string",
                "description": "An http(s) feed URL, or a page announcing one.",
            },
            "topic": _nullable("string", description="Given to every article of the source."),
            "format": FORMAT,
        },
        "additionalProperties": False,
    },
    "AddedSource": _object(
        {"source": _ref("SourceDetail"), "articles_added": {"type": "integer", "minimum": 0}}
    ),
    "RemovedSource": _object(
        {"source": _ref("SourceDetail"), "articles_removed": {"type": "integer", "minimum": 0}}
    ),
    "FetchOutcome": _object(
        {
            "source": _ref("SourceDetail"),
            "new": {"type": "integer", "minimum": 0},
            "updated": {"type": "integer", "minimum": 0},
            "unchanged": {"type": "integer", "minimum": 0},
            "not_modified": {"type": "boolean"},
            "error": _nullable("string", description="Why the fetch failed, if it did."),
        }
    ),
}

SOURCE_ID = _path_id("source_id", "The source's id.")
WRITE = {"security": [{"token": []}]}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Incoming",
            "version": __version__,
            "description": (
                "Read the articles and sources of an Incoming hub; with an API token "
                "(`incoming admin create-token`), add, remove and fetch sources. Every error "
                "has the shape of the `Error` schema."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/articles": {
                "get": {
                    "operationId": "listArticles",
                    "summary": "Articles, newest update first, a page at a time.",
                    "parameters": [
                        _query("source", ID, "Only this source's articles."),
                        _query(
                            "topic", {"type": "string", "minLength": 1}, "Only this topic's (slug)."
                        ),
                        _query(
                            "before",
                            DATE_OR_TIME,
                            "Only articles updated before this date (midnight UTC) or "
                            "RFC 3339 date-time.",
                        ),
                        _query(
                            "after",
                            DATE_OR_TIME,
                            "Only articles updated after this date or date-time.",
                        ),
                        LIMIT,
                        _query(
                            "cursor",
                            {"type": "string", "pattern": CURSOR_PATTERN},
                            "The `next_cursor` of the previous page, as given.",
                        ),
                    ],
                    "responses": {"200": _json(_ref("ArticlePage"), "A page of articles.")}
                    | _errors(400, 404, 503),
                }
            },
            "/api/v1/articles/{article_id}": {
                "get": {
                    "operationId": "getArticle",
                    "summary": "One article with its full content.",
                    "parameters": [_path_id("article_id", "The article's id.")],
                    "responses": {"200": _json(_ref("ArticleDetail"), "The article.")}
                    | _errors(400, 404, 503),
                }
            },
            "/api/v1/sources": {
                "get": {
                    "operationId": "listSources",
                    "summary": "Every source, with its article count.",
                    "responses": {"200": _json(_ref("SourceList"), "The sources.")} | _errors(503),
                },
                "post": {
                    "operationId": "addSource",
                    "summary": "Add a feed and read it at once.",
                    **WRITE,
                    "requestBody": {
                        "required": True,
                        "content": {JSON: {"schema": _ref("NewSource")}},
                    },
                    "responses": {"201": _json(_ref("AddedSource"), "The source, added.")}
                    | _errors(400, 401, 409, 413, 415, 422, 503),
                },
            },
            "/api/v1/sources/{source_id}": {
                "delete": {
                    "operationId": "removeSource",
                    "summary": "Remove a source and its articles.",
                    **WRITE,
                    "parameters": [SOURCE_ID],
                    "responses": {"200": _json(_ref("RemovedSource"), "The source, removed.")}
                    | _errors(400, 401, 404, 503),
                }
            },
            "/api/v1/sources/{source_id}/fetch": {
                "post": {
                    "operationId": "fetchSource",
                    "summary": "Fetch a source now; a failed fetch is reported, not an error.",
                    **WRITE,
                    "parameters": [SOURCE_ID],
                    "responses": {"200": _json(_ref("FetchOutcome"), "What the fetch did.")}
                    | _errors(400, 401, 404, 503),
                }
            },
            "/api/v1/search": {
                "get": {
                    "operationId": "searchArticles",
                    "summary": "Articles matching a query, best first.",
                    "description": (
                        'Words and CJK text (all must match), `"exact phrases"`, `-excluded`, '
                        "`OR`, and `source:`, `topic:`, `before:`, `after:` filters. Any text "
                        "is a query: what cannot be parsed is searched as plain text."
                    ),
                    "parameters": [
                        _required_query(
                            "q", {"type": "string", "maxLength": SEARCH_MAX_CHARS}, "The query."
                        ),
                        LIMIT,
                        _query(
                            "offset",
                            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                            "Hits to skip: the `next_offset` of the previous page.",
                        ),
                    ],
                    "responses": {"200": _json(_ref("SearchPage"), "A page of hits.")}
                    | _errors(400, 503),
                }
            },
            "/api/v1/topics": {
                "get": {
                    "operationId": "listTopics",
                    "summary": "Every topic, with its article count.",
                    "responses": {"200": _json(_ref("TopicList"), "The topics.")} | _errors(503),
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token made with `incoming admin create-token`.",
                }
            },
        },
    }
