"""clean_html: an entry's hostile raw HTML in, safe stored HTML with real math out."""

from __future__ import annotations

import re

from incoming.clean.formulas import RESERVED_CHARACTERS, FormulaStore
from incoming.clean.fragments import parse_fragment, serialize_children
from incoming.clean.prepare import prepare
from incoming.clean.sanitize import sanitize
from incoming.clean.urls import usable_base

# Control characters, lone surrogates (which no parser can encode) and the noncharacters our
# placeholders use: none of them belongs in stored text.
_UNUSABLE_CHARACTERS = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{RESERVED_CHARACTERS}\ufffe\uffff]"
)


def clean_html(raw_html: str, base_url: str | None = None) -> str:
    """Sanitized HTML with formulas as MathML and code blocks marked with their language.

    base_url (the entry's xml:base or link) resolves relative URLs; nothing of the input other
    than allow-listed markup reaches the output, since everything, our own MathML included,
    passes through the sanitizer last.
    """
    raw_html = _UNUSABLE_CHARACTERS.sub("", raw_html)
    if not raw_html.strip():
        return ""
    root = parse_fragment(raw_html)
    formulas = FormulaStore()
    prepare(root, formulas)
    return sanitize(formulas.fill(serialize_children(root)), usable_base(base_url)).strip()
