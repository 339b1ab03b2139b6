"""Deriving: plain text, excerpt, language and topic slugs from cleaned entries."""

from incoming.derive.language import guess_language
from incoming.derive.text import DerivedText, derive_text
from incoming.derive.topics import normalize_topic

__all__ = ["DerivedText", "derive_text", "guess_language", "normalize_topic"]
