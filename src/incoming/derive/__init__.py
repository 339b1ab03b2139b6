"""Deriving: plain text, excerpt, language and topic slugs from cleaned entries.

Its names are imported on first use (`incoming.lazy`): topic slugs must not bring lxml."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incoming.lazy import lazy_exports

if TYPE_CHECKING:
    from incoming.derive.language import guess_language
    from incoming.derive.text import DerivedText, derive_text
    from incoming.derive.topics import normalize_topic

__all__ = ["DerivedText", "derive_text", "guess_language", "normalize_topic"]
__getattr__ = lazy_exports(
    __name__,
    {
        "guess_language": "language",
        "DerivedText": "text",
        "derive_text": "text",
        "normalize_topic": "topics",
    },
)
