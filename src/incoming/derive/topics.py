"""Topic names as people type them, reduced to one slug per topic."""

from __future__ import annotations

import unicodedata

import regex

MAX_TOPIC_LENGTH = 64
_NOT_IN_SLUG = regex.compile(r"[^\p{L}\p{M}\p{N}_+.\- ]+")
_SEPARATORS = regex.compile(r"[\s\-]+")


def normalize_topic(name: str) -> tuple[str, str] | None:
    """(slug, display name), or None when nothing usable is left or the name is too long.

    NFKC folds full-width forms, so `NLP`, `nlp`, `ＮＬＰ` and ` nlp ` share the slug `nlp`. The
    slug keeps letters of every script (CJK too), lower-cases, turns spaces into `-` and drops
    URL-special characters; the display name keeps the casing it was given.
    """
    display = " ".join(unicodedata.normalize("NFKC", name).split())
    if not display or len(display) > MAX_TOPIC_LENGTH:
        return None
    slug = _SEPARATORS.sub("-", _NOT_IN_SLUG.sub("", display.casefold())).strip("-.")
    return (slug, display) if slug else None
