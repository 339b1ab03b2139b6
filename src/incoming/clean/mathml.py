"""TeX to MathML Core with math-core, kept to the MathML allow-list.

math-core (a Rust converter) was chosen by `bench/math.py`: on the coverage corpus, with our two
rewrites (`_dialect`), it converts as many formulas as Temml and KaTeX do, none leaking TeX, at
10–25 µs a formula, 80–120× less than latex2mathml (which left 55 of 930 real formulas with
literal `&` cells and lost rows).
The TeX is kept in an annotation (for search, excerpts and copying). TeX that cannot or should
not be converted stays visible as `<code class="math-tex">`: a formula is never dropped, and
never shown half-converted.

math-core lays out table cells with inline `style`, which the site's Content-Security-Policy
would block and the allow-list drops: a cell's `text-align` becomes `columnalign`, which the
site's stylesheet lays out (site.css, "MathML Core").
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape, unescape
from itertools import accumulate, repeat

from math_core import LatexError, LatexToMathML

from incoming.clean.allowlist import (
    HTML_TAGS,
    MATH_FALLBACK_CLASS,
    MATHML_ATTRIBUTES,
    checked_value,
    mathml_attribute_allowed,
)

MAX_TEX_LENGTH = 4000
MAX_TEX_DEPTH = 24
MAX_MATHML_DEPTH = 64  # TeX like \hat\hat\hat...x nests without braces
# Macros (`\newcommand` in a formula) expand at most this often, so the MathML of 4,000
# characters of TeX stays within MAX_MATHML_LENGTH even for a macro that doubles itself.
MAX_MACRO_EXPANSIONS = 100
MAX_MATHML_LENGTH = 200_000

# Without the global group, definitions in one formula vanish at its end.
_CONVERTER = LatexToMathML(fancy_error=False, max_expansions=MAX_MACRO_EXPANSIONS)
_MACRO_DEFINITION = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|gdef|edef|xdef|let)(?![A-Za-z])"
)

_NESTING = re.compile(r"\\\\|\\[{}]|\\(?:left|begin)(?![A-Za-z])|\\(?:right|end)(?![A-Za-z])|[{}]")
_NESTING_STEP = {"{": 1, "\\left": 1, "\\begin": 1, "}": -1, "\\right": -1, "\\end": -1}
# TeX that KaTeX reads and math-core does not, rewritten to what math-core reads the same way.
_SPLIT = re.compile(r"\\(begin|end)\{split\}")
_TAG = re.compile(r"\\tag\*?(?![A-Za-z])")
_NUMBERED = re.compile(r"\\begin\{(?:equation|align|gather|multline|flalign|alignat)\*?\}")

# math-core escapes `<`, `>` and `&` in text, so every `<` starts one of its tags.
_TAG_WITH_ATTRIBUTES = re.compile(r"<[a-z]+ [^>]*>")
_TAG_PARTS = re.compile(r"<([a-z]+) (.*?)(/?)>", re.DOTALL)
_EMPTY_TAG = re.compile(r"<([a-z]+)/>")
_TAG_NAME = re.compile(r"<(/?[^\s/>]+)")  # "mi" or "/mi"
_ATTRIBUTE = re.compile(r'([a-z][\w-]*)="([^"]*)"')
_CELL_ALIGN = re.compile(r"text-align:\s*(left|right|center)")
_NAMED_REFERENCE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_REFERENCES = frozenset({"lt", "gt", "amp", "quot"})
# The <math>, <semantics> and <annotation> wrapping is ours to write, never the converter's.
_ALLOWED_ELEMENTS = (HTML_TAGS | MATHML_ATTRIBUTES.keys()) - {"math", "semantics", "annotation"}
_NESTING_STEPS = {
    **dict.fromkeys(_ALLOWED_ELEMENTS, 1),
    **dict.fromkeys((f"/{name}" for name in _ALLOWED_ELEMENTS), -1),
}
_MAX_CACHED_TAGS = 4096
# A prime as the superscript of a single token: the prime glyph is raised already, and in a
# superscript Chromium draws it a second time higher and smaller ("f′" tiny and high).
_PRIMED_TOKEN = re.compile(
    r"<msup>(<(mi|mn|mo|mtext)(?: [^>]*)?>[^<]*</\2>)(<mo>[′″‴⁗]</mo>)</msup>"
)


def tex_fallback(tex: str) -> str:
    """The visible stand-in for a formula we do not convert."""
    return f'<code class="{MATH_FALLBACK_CLASS}">{escape(tex, quote=False)}</code>'


def _too_deep(tex: str) -> bool:
    if tex.count("{") + tex.count("\\left") + tex.count("\\begin") <= MAX_TEX_DEPTH:
        return False  # the common case, counted without a loop
    steps = map(_NESTING_STEP.get, _NESTING.findall(tex), repeat(0))
    return max(accumulate(steps), default=0) > MAX_TEX_DEPTH


def _refused(tex: str) -> bool:
    return not tex.strip() or len(tex) > MAX_TEX_LENGTH or _too_deep(tex)


def _dialect(tex: str, display: bool) -> str:
    """tex in the form math-core reads: `split` is `aligned` (as in KaTeX); a display formula
    with `\\tag` outside a numbered environment gets one (`equation*` numbers only by tag)."""
    if "split}" in tex:
        tex = _SPLIT.sub(r"\\\1{aligned}", tex)
    if display and _TAG.search(tex) and not _NUMBERED.search(tex):
        tex = f"\\begin{{equation*}}{tex}\\end{{equation*}}"
    return tex


def _allowed_tag(tag: str) -> str:
    """An opening tag with only allow-listed attributes and values, a cell's alignment kept,
    and an empty element written open and closed (`<mspace/>` is not HTML)."""
    name, attributes, empty = _TAG_PARTS.fullmatch(tag).groups()  # type: ignore[union-attr]
    kept = []
    for attribute, value in _ATTRIBUTE.findall(attributes):
        if attribute == "style" and name == "mtd" and (align := _CELL_ALIGN.search(value)):
            attribute, value = "columnalign", align.group(1)
        value = unescape(value)
        if (
            mathml_attribute_allowed(name, attribute)
            and (checked := checked_value(name, attribute, value)) is not None
        ):
            kept.append(f' {attribute}="{escape(checked)}"')
    return f"<{name}{''.join(kept)}>" + (f"</{name}>" if empty else "")


class _TagCache(dict[str, str]):
    """Tags repeat across formulas: each is worked out once, then found by a dict lookup."""

    def __missing__(self, tag: str) -> str:
        allowed = _allowed_tag(tag)
        if len(self) < _MAX_CACHED_TAGS:
            self[tag] = allowed
        return allowed


_ALLOWED_TAGS = _TagCache()


def _allowed_tag_of(match: re.Match[str]) -> str:
    return _ALLOWED_TAGS[match.group()]


def _named_reference(match: re.Match[str]) -> str:
    name = match.group(1)
    return match.group() if name in _XML_REFERENCES else escape(unescape(match.group()), False)


def _open_and_closed(match: re.Match[str]) -> str:
    return f"<{match.group(1)}></{match.group(1)}>"


def _allowed_mathml(converted: str) -> str | None:
    """The converter's MathML inside its <math>, allow-listed; None if it holds an element the
    allow-list does not know, or nests deeper than browsers and our parsers should follow."""
    body = converted[converted.index(">") + 1 : converted.rindex("</math>")]
    body = _TAG_WITH_ATTRIBUTES.sub(_allowed_tag_of, body)
    if "/>" in body:
        body = body.replace("<mspace/>", "<mspace></mspace>")
        if "/>" in body:
            body = _EMPTY_TAG.sub(_open_and_closed, body)
    tags = _TAG_NAME.findall(body)
    if not _NESTING_STEPS.keys() >= set(tags):
        return None
    if (
        len(tags) > 2 * MAX_MATHML_DEPTH
        and max(accumulate(map(_NESTING_STEPS.__getitem__, tags))) > MAX_MATHML_DEPTH
    ):
        return None
    if "′" in body or "″" in body or "‴" in body or "⁗" in body:
        body = _PRIMED_TOKEN.sub(r"<mrow>\1\3</mrow>", body)
    if "&" in body:
        body = _NAMED_REFERENCE.sub(_named_reference, body.replace("&ApplyFunction;", "\u2061"))
    return body


def _mathml(tex: str, display: bool, entry: LatexToMathML | None = None) -> str:
    """MathML of tex; with entry, in that entry's converter (its macros, its equation numbers)."""
    tex = tex.strip()
    if _refused(tex):
        return tex_fallback(tex)
    tex_read = _dialect(tex, display)
    try:
        if entry is None:
            converted = _CONVERTER.convert_with_local_state(tex_read, displaystyle=display)
        else:
            converted = entry.convert_with_global_state(tex_read, displaystyle=display)
    except LatexError:
        return tex_fallback(tex)
    body = _allowed_mathml(converted) if len(converted) <= MAX_MATHML_LENGTH else None
    if body is None:
        return tex_fallback(tex)
    mode = "block" if display else "inline"
    return (
        f'<math display="{mode}"><semantics><mrow>{body}</mrow>'
        f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>'
        "</semantics></math>"
    )


@lru_cache(maxsize=4096)
def latex_to_mathml(tex: str, *, display: bool) -> str:
    """MathML for tex, with the TeX as annotation; the `<code>` fallback if it cannot be made.

    Cached: formulas repeat across the entries of a feed and across fetches. Macros defined in
    tex hold for tex alone (see MacroScope for an entry's).
    """
    return _mathml(tex, display)


def _entry_converter() -> LatexToMathML:
    return LatexToMathML(fancy_error=False, max_expansions=MAX_MACRO_EXPANSIONS, global_group=True)


class MacroScope:
    """The formulas of one entry: a note defines its macros (`\\newcommand{\\R}...`) in one
    formula and uses them in the ones after. Until a formula defines one, formulas go through
    the shared cache; from then on through a converter that keeps the entry's definitions."""

    def __init__(self) -> None:
        self._converter: LatexToMathML | None = None

    def convert(self, tex: str, *, display: bool) -> str:
        if self._converter is None:
            if _MACRO_DEFINITION.search(tex) is None:
                return latex_to_mathml(tex, display=display)
            self._converter = _entry_converter()
        return _mathml(tex, display, self._converter)
