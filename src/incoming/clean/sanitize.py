"""The last step of cleaning: nh3 with our allow-list, URL policy and image/link attributes.

Everything stored goes through here, including the MathML we generate ourselves.
"""

from __future__ import annotations

from contextvars import ContextVar

import nh3

from incoming.clean.allowlist import (
    DROPPED_WITH_CONTENT,
    GLOBAL_ATTRIBUTES,
    HTML_ATTRIBUTES,
    HTML_TAGS,
    MATHML_ATTRIBUTES,
    MATHML_GLOBAL_ATTRIBUTES,
    checked_value,
)
from incoming.clean.urls import (
    ID_PREFIX,
    LINK_SCHEMES,
    resolve_image_url,
    resolve_srcset,
    resolve_url,
)

# The cleaner is built once (building one costs about as much as cleaning a short entry); the
# base URL of the entry being cleaned reaches its callbacks through this context variable.
_base_url: ContextVar[str | None] = ContextVar("base_url", default=None)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "srcset":
        return resolve_srcset(value, _base_url.get())
    if name == "src" and tag in ("img", "source"):
        return resolve_image_url(value, _base_url.get())
    if name == "cite":  # a URL, but not one of those nh3 checks against url_schemes
        return resolve_url(value, _base_url.get())
    return checked_value(tag, name, value)


def _resolve_relative(url: str) -> str | None:
    return resolve_url(url, _base_url.get())


_CLEANER = nh3.Cleaner(
    tags=set(HTML_TAGS | MATHML_ATTRIBUTES.keys()),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={
        "*": set(GLOBAL_ATTRIBUTES),
        **{tag: set(names) for tag, names in HTML_ATTRIBUTES.items()},
        **{tag: set(names | MATHML_GLOBAL_ATTRIBUTES) for tag, names in MATHML_ATTRIBUTES.items()},
    },
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    url_relative=_resolve_relative,
    link_rel="noopener noreferrer",
    id_prefix=ID_PREFIX,
    strip_comments=True,
)


def sanitize(html: str, base_url: str | None) -> str:
    """Allow-listed HTML; relative URLs resolved against base_url (already checked usable)."""
    token = _base_url.set(base_url)
    try:
        return _CLEANER.clean(html)
    finally:
        _base_url.reset(token)
