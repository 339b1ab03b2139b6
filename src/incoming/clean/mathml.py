"""TeX to MathML with latex2mathml, written through the MathML allow-list.

The TeX is kept in an annotation (for search, excerpts and copying). TeX that cannot or should
not be converted stays visible as `<code class="math-tex">`: a formula is never dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape
from xml.etree.ElementTree import Element

from latex2mathml.converter import convert_to_element

from incoming.clean.allowlist import (
    MATH_FALLBACK_CLASS,
    MATHML_ATTRIBUTES,
    checked_value,
    mathml_attribute_allowed,
)

MAX_TEX_LENGTH = 4000
MAX_TEX_DEPTH = 24
MAX_MATHML_DEPTH = 64  # TeX like \hat\hat\hat...x nests without braces

# Macro definitions can expand exponentially; latex2mathml would follow them.
_MACRO_DEFINITION = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|gdef|edef|xdef|let)(?![A-Za-z])"
)
_NESTING = re.compile(r"\\\\|\\[{}]|\\(?:left|begin)(?![A-Za-z])|\\(?:right|end)(?![A-Za-z])|[{}]")
# latex2mathml writes characters as "&#x...;" text and unescapes its whole output afterwards,
# which would turn a TeX "<" into markup; we read its element tree and escape ourselves.
_CHARACTER_REFERENCE = re.compile(r"&#x([0-9A-Fa-f]{1,6});")


def tex_fallback(tex: str) -> str:
    """The visible stand-in for a formula we do not convert."""
    return f'<code class="{MATH_FALLBACK_CLASS}">{escape(tex, quote=False)}</code>'


def _too_deep(tex: str) -> bool:
    depth = 0
    for match in _NESTING.finditer(tex):
        token = match.group()
        if token in ("{", "\\left", "\\begin"):
            depth += 1
            if depth > MAX_TEX_DEPTH:
                return True
        elif token in ("}", "\\right", "\\end"):
            depth -= 1
    return False


def _refused(tex: str) -> bool:
    return (
        not tex.strip()
        or len(tex) > MAX_TEX_LENGTH
        or _MACRO_DEFINITION.search(tex) is not None
        or _too_deep(tex)
    )


def _character(match: re.Match[str]) -> str:
    code_point = int(match.group(1), 16)
    if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF or code_point == 0:
        return "\ufffd"
    return chr(code_point)


def _text(text: str | None) -> str:
    return escape(_CHARACTER_REFERENCE.sub(_character, text), quote=False) if text else ""


class _TooDeepError(Exception):
    """The MathML would nest deeper than browsers and our parsers should be asked to follow."""


def _write(element: Element, out: list[str], depth: int = 0) -> None:
    """Append the allow-listed MathML of element; unknown elements keep only their content."""
    if depth > MAX_MATHML_DEPTH:
        raise _TooDeepError
    tag = element.tag
    # The <math>, <semantics> and <annotation> wrapping is ours to write, never latex2mathml's.
    known = tag in MATHML_ATTRIBUTES and tag not in ("math", "semantics", "annotation")
    if known:
        attributes = "".join(
            f' {name}="{escape(kept)}"'
            for name, value in element.attrib.items()
            if mathml_attribute_allowed(tag, name)
            and (kept := checked_value(tag, name, value)) is not None
        )
        out.append(f"<{tag}{attributes}>")
    out.append(_text(element.text))
    for child in element:
        _write(child, out, depth + 1)
        out.append(_text(child.tail))
    if known:
        out.append(f"</{tag}>")


@lru_cache(maxsize=4096)
def latex_to_mathml(tex: str, *, display: bool) -> str:
    """MathML for tex, with the TeX as annotation; the `<code>` fallback if it cannot be made."""
    tex = tex.strip()
    if _refused(tex):
        return tex_fallback(tex)
    mode = "block" if display else "inline"
    out = [f'<math display="{mode}"><semantics>']
    try:
        math = convert_to_element(tex, display=mode)
        row = math.find("mrow")
        _write(row if row is not None else math, out)
    except Exception:  # latex2mathml fails on bad TeX with many exception types; _TooDeepError
        return tex_fallback(tex)
    out.append(f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>')
    out.append("</semantics></math>")
    return "".join(out)
