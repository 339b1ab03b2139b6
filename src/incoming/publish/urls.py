"""The site's URLs: one place that knows every path, so pages, feeds and the API agree."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import regex

# Letters and digits of any script stay (Chinese titles keep readable slugs); the rest is "-".
_NOT_WORD = regex.compile(r"[^\p{L}\p{N}]+")
SLUG_MAX_CHARS = 80
SEARCH_PATH = "/search"


def slugify(title: str) -> str:
    """The readable part of an article's URL; "article" when the title has no letters."""
    slug = _NOT_WORD.sub("-", title.casefold())[:SLUG_MAX_CHARS].strip("-")
    return slug or "article"


def article_path(article_id: int, title: str) -> str:
    """The canonical path of an article, unquoted (as Starlette matches paths)."""
    return f"/a/{article_id}/{slugify(title)}"


def source_path(source_id: int) -> str:
    return f"/source/{source_id}"


def topic_path(slug: str) -> str:
    return f"/topic/{slug}"


def page_path(list_path: str, number: int) -> str:
    """Page `number` of the list at `list_path` ("/" for the front page); page 1 is the list."""
    if number == 1:
        return list_path
    return f"{list_path.rstrip('/')}/page/{number}"


def page_href(list_path: str, number: int) -> str:
    return href(page_path(list_path, number))


def search_url(query: str, number: int = 1) -> str:
    """Page `number` of the results for `query`, ready for an href (page 1 has no `page`)."""
    parameters: dict[str, str | int] = {"q": query}
    if number > 1:
        parameters["page"] = number
    return f"{SEARCH_PATH}?{urlencode(parameters)}"


def href(path: str) -> str:
    """A path as it goes into an attribute or a Location header: percent-encoded UTF-8."""
    return quote(path, safe="/")


def external_url(url: str | None) -> str | None:
    """A stored link as safe to put in an href: only http(s), anything else dropped."""
    if url and url.lower().startswith(("https://", "http://")):
        return url
    return None
