"""The check every cleaned output must pass: parsed as HTML, nothing in it can act.

It parses the output with lxml and looks at elements, attributes and URL schemes, so an attack
cannot hide behind entities, case or whitespace the way it could from a substring check.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import lxml.html

from incoming.clean.allowlist import HTML_TAGS, MATHML_ATTRIBUTES

ACTIVE_TAGS = frozenset(
    {
        *("script", "style", "iframe", "frame", "frameset", "object", "embed", "applet"),
        *("base", "meta", "link", "form", "input", "button", "select", "textarea", "option"),
        *("svg", "template", "noscript", "annotation-xml", "foreignobject", "animate", "set"),
    }
)
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "srcset", "poster"})
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# What browsers strip from URLs, and more (Unicode spaces, zero-width characters).
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")
_SCRIPT_SCHEME = re.compile(r"(?:java|vb)script:")


def _scheme(url: str) -> str | None:
    match = _SCHEME.match(_INVISIBLE.sub("", url).lower())
    return match.group(1) if match else None


def _urls(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [candidate.split()[0] for candidate in value.split(", ") if candidate.split()]
    return [value]


def active_content(html: str) -> list[str]:
    """Every reason html is not inert (an empty list when it is)."""
    problems: list[str] = []
    if "<script" in html.lower():
        problems.append("a <script substring")
    if not html.strip():
        return problems
    for element in lxml.html.fragment_fromstring(html, create_parent="div").iter():
        if not isinstance(element.tag, str):
            problems.append("a comment or processing instruction")
            continue
        tag = element.tag.lower()
        if tag in ACTIVE_TAGS or tag not in HTML_TAGS | MATHML_ATTRIBUTES.keys():
            problems.append(f"element <{tag}>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on") or name in {"style", "name", "formaction", "action"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name == "id" and not value.startswith("user-content-"):
                problems.append(f"unprefixed id {value!r}")
            if tag in MATHML_ATTRIBUTES and name in URL_ATTRIBUTES | {"xlink:href"}:
                problems.append(f"URL attribute {name} on MathML <{tag}>")
            if name in URL_ATTRIBUTES:
                for url in _urls(name, value):
                    scheme = _scheme(url)
                    if scheme is not None and scheme not in SAFE_SCHEMES:
                        problems.append(f"{scheme}: URL in {name} on <{tag}>")
                    if _SCRIPT_SCHEME.search(_INVISIBLE.sub("", unquote(url)).lower()):
                        problems.append(f"a script scheme inside {name} on <{tag}>")
    return problems
