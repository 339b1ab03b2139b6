"""What stored HTML may contain: the element and attribute allow-lists, and the value rules.

One table serves both nh3 (for feed HTML and raw `<math>`) and our own MathML writer, so a formula
we generate can never hold more than a formula a feed sends.
"""

from __future__ import annotations

import re
from collections.abc import Callable

CODE_LANGUAGE_CLASS = re.compile(r"language-[a-z0-9][a-z0-9_+#.-]{0,31}")
MATH_FALLBACK_CLASS = "math-tex"

HTML_TAGS = frozenset(
    {
        *("a", "abbr", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption"),
        *("center", "cite", "code", "col", "colgroup", "data", "dd", "del", "details", "dfn"),
        *("div", "dl", "dt", "em", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4"),
        *("h5", "h6", "header", "hgroup", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol"),
        *("p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small"),
        *("source", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "wbr"),
    }
)

# Elements removed together with their content: active, interactive or invisible material.
DROPPED_WITH_CONTENT = frozenset(
    {
        *("script", "style", "template", "noscript", "iframe", "object", "embed", "applet"),
        *("button", "select", "textarea", "svg", "frameset", "noembed", "noframes", "head"),
        "title",
    }
)

GLOBAL_ATTRIBUTES = frozenset({"id", "lang", "dir", "title"})

HTML_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"}),
    "source": frozenset({"srcset", "sizes", "type", "media", "width", "height"}),
    "code": frozenset({"class"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "data": frozenset({"value"}),
    "details": frozenset({"open"}),
}

# MathML Core elements (plus menclose, which math-core writes for \boxed and \cancel). Never `href`,
# `style`, `class`, colours or `annotation-xml`: those carry active content or can hide text.
MATHML_GLOBAL_ATTRIBUTES = frozenset({"dir", "displaystyle", "mathvariant", "scriptlevel"})
_MO = {"fence", "form", "largeop", "lspace", "rspace", "maxsize", "minsize", "movablelimits"}
_TABLE_ALIGN = {"columnalign", "rowalign"}
MATHML_ATTRIBUTES: dict[str, frozenset[str]] = {
    "math": frozenset({"display", "alttext"}),
    "semantics": frozenset(),
    "annotation": frozenset({"encoding"}),
    "mo": frozenset({*_MO, "separator", "stretchy", "symmetric", "accent", "mathsize"}),
    "mi": frozenset({"mathsize"}),
    "mn": frozenset({"mathsize"}),
    "mtext": frozenset({"mathsize"}),
    **{tag: frozenset() for tag in ("mrow", "ms", "merror", "mphantom", "msqrt", "mroot")},
    **{tag: frozenset() for tag in ("msub", "msup", "msubsup", "mmultiscripts", "mprescripts")},
    "mstyle": frozenset({"mathsize"}),
    "mover": frozenset({"accent"}),
    "munder": frozenset({"accentunder"}),
    "munderover": frozenset({"accent", "accentunder"}),
    "mfrac": frozenset({"linethickness"}),
    "mspace": frozenset({"width", "height", "depth", "linebreak"}),
    "mpadded": frozenset({"width", "height", "depth", "lspace", "voffset"}),
    "mtable": frozenset({*_TABLE_ALIGN, "columnlines", "rowlines", "frame", "columnspacing"}),
    "mtr": frozenset(_TABLE_ALIGN),
    "mtd": frozenset({*_TABLE_ALIGN, "columnspan", "rowspan"}),
    "menclose": frozenset({"notation"}),
}


def mathml_attribute_allowed(tag: str, name: str) -> bool:
    return name in MATHML_GLOBAL_ATTRIBUTES or name in MATHML_ATTRIBUTES.get(tag, ())


# --- value rules -------------------------------------------------------------------------------

_MAX_LENGTH = 20.0  # em: enough for any real spacing, too little to move a formula over the page
_LENGTH = re.compile(r"[+-]?(\d{1,4}(?:\.\d*)?|\.\d+)(?:em|ex|px|pt|mu)?")
_NAMED_SPACES = frozenset(
    f"{sign}{size}mathspace"
    for sign in ("", "negative")
    for size in (
        "veryverythin",
        "verythin",
        "thin",
        "medium",
        "thick",
        "verythick",
        "veryverythick",
    )
)
_MATHVARIANTS = frozenset(
    {
        *("normal", "bold", "italic", "bold-italic", "double-struck", "bold-fraktur", "script"),
        *("bold-script", "fraktur", "sans-serif", "bold-sans-serif", "sans-serif-italic"),
        *("sans-serif-bold-italic", "monospace", "initial", "tailed", "looped", "stretched"),
    }
)
_NOTATIONS = frozenset(
    {
        *("box", "roundedbox", "circle", "left", "right", "top", "bottom", "updiagonalstrike"),
        *("downdiagonalstrike", "verticalstrike", "horizontalstrike", "longdiv", "actuarial"),
        "madruwb",
    }
)
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_SMALL_INTEGER = re.compile(r"-?\d{1,4}")
_PIXELS = re.compile(r"\d{1,5}%?")

ValueRule = Callable[[str], str | None]


def _one_of(*allowed: str) -> ValueRule:
    values = frozenset(allowed)
    return lambda value: value if value.strip().lower() in values else None


def _tokens_of(allowed: frozenset[str]) -> ValueRule:
    return lambda value: value if value.split() and set(value.split()) <= allowed else None


def _matching(pattern: re.Pattern[str]) -> ValueRule:
    return lambda value: value if pattern.fullmatch(value.strip()) else None


def _length(value: str) -> str | None:
    value = value.strip()
    if value in _NAMED_SPACES:
        return value
    match = _LENGTH.fullmatch(value)
    return value if match and float(match.group(1)) <= _MAX_LENGTH else None


def _lengths(value: str) -> str | None:
    parts = value.split()
    return value if parts and all(_length(part) for part in parts) else None


_BOOLEAN = _one_of("true", "false")
_ALIGNS = ("left", "center", "right")

_MATHML_RULES: dict[str, ValueRule] = {
    "display": _one_of("block", "inline"),
    "dir": _one_of("ltr", "rtl"),
    "encoding": _one_of("application/x-tex"),
    "mathvariant": _tokens_of(_MATHVARIANTS),
    "notation": _tokens_of(_NOTATIONS),
    "form": _one_of("prefix", "infix", "postfix"),
    "linebreak": _one_of("newline", "auto", "nobreak", "goodbreak", "badbreak"),
    "scriptlevel": _matching(re.compile(r"[+-]?\d")),
    "columnalign": _tokens_of(frozenset(_ALIGNS)),
    "rowalign": _tokens_of(frozenset({"top", "bottom", "center", "baseline", "axis"})),
    "columnlines": _tokens_of(frozenset({"none", "solid", "dashed"})),
    "rowlines": _tokens_of(frozenset({"none", "solid", "dashed"})),
    "frame": _one_of("none", "solid", "dashed"),
    "columnspan": _matching(re.compile(r"\d{1,2}")),
    "rowspan": _matching(re.compile(r"\d{1,2}")),
    "columnspacing": _lengths,
    **dict.fromkeys(("displaystyle", "stretchy", "symmetric", "largeop", "fence"), _BOOLEAN),
    **dict.fromkeys(("movablelimits", "separator", "accent", "accentunder"), _BOOLEAN),
    **dict.fromkeys(("width", "height", "depth", "lspace", "rspace", "voffset"), _length),
    **dict.fromkeys(("linethickness", "maxsize", "minsize", "mathsize"), _length),
}

_HTML_RULES: dict[str, ValueRule] = {
    "dir": _one_of("ltr", "rtl", "auto"),
    "loading": _one_of("lazy"),
    "decoding": _one_of("async"),
    "lang": _matching(_LANGUAGE_TAG),
    "hreflang": _matching(_LANGUAGE_TAG),
    "align": _one_of(*_ALIGNS, "justify"),
    "scope": _one_of("row", "col", "rowgroup", "colgroup"),
    "width": _matching(_PIXELS),
    "height": _matching(_PIXELS),
    "type": _matching(re.compile(r"[1aAiI]|image/[a-z0-9.+-]{1,40}")),
    **dict.fromkeys(("colspan", "rowspan", "span", "start", "value"), _matching(_SMALL_INTEGER)),
}


def _code_classes(value: str) -> str | None:
    kept = [
        token
        for token in value.split()
        if token == MATH_FALLBACK_CLASS or CODE_LANGUAGE_CLASS.fullmatch(token)
    ]
    return " ".join(kept) or None


def checked_value(tag: str, name: str, value: str) -> str | None:
    """The value to keep for an already allowed attribute, or None to drop the attribute."""
    if name == "class":
        return _code_classes(value) if tag == "code" else None
    rules = _MATHML_RULES if tag in MATHML_ATTRIBUTES else _HTML_RULES
    rule = rules.get(name)
    return value if rule is None else rule(value)
