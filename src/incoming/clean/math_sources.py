"""Where formulas hide in feed HTML, and how to read their TeX back.

MathJax source scripts, KaTeX/MathJax rendered output, formula images that carry their TeX
(Zhihu, CodeCogs, Google Chart, math-classed images with an alt text), `data-tex` attributes
and StackExchange's `math-container` spans. Each reader returns `(tex, display)` or None.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from lxml.html import HtmlElement

from incoming.clean.fragments import classes

Formula = tuple[str, bool]

# Classes of rendered math: typeset glyph soup whose only useful parts are the TeX or MathML.
RENDERED_MATH_CLASSES = frozenset(
    {
        *("katex", "katex-display", "MathJax", "MathJax_Display", "MathJax_Preview"),
        *("MathJax_SVG", "MathJax_SVG_Display", "MathJax_CHTML", "MathJax_PHTML"),
    }
)
_DISPLAY_CLASSES = frozenset({"katex-display", "MathJax_Display", "MathJax_SVG_Display"})
_BLOCK_PARENTS = frozenset({"p", "div", "center", "figure", "dd", "li"})
_CODECOGS_PATH = re.compile(r"/(?:svg|png|gif)\.(?:latex|image)")
# CodeCogs rendering options in front of the TeX: resolution, background, font, size.
_CODECOGS_OPTIONS = re.compile(
    r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|tiny|small|normal|large|Large|huge))+"
)


def is_math_script(element: HtmlElement) -> bool:
    kind = element.get("type", "").partition(";")[0]
    return element.tag == "script" and kind.strip().lower() == "math/tex"


def script_formula(script: HtmlElement) -> Formula:
    """TeX of a MathJax `<script type="math/tex">` (`; mode=display` for display math)."""
    parameters = script.get("type", "").partition(";")[2].replace(" ", "").lower()
    return script.text or "", "mode=display" in parameters


def is_rendered_math(element: HtmlElement) -> bool:
    return element.tag == "mjx-container" or not classes(element).isdisjoint(RENDERED_MATH_CLASSES)


def rendered_formula(container: HtmlElement) -> Formula | None:
    """TeX of KaTeX/MathJax output: its x-tex annotation, or KaTeX MathML flattened to text."""
    parent = container.getparent()
    display = (
        not classes(container).isdisjoint(_DISPLAY_CLASSES)
        or container.get("display") == "true"
        or (parent is not None and "katex--display" in classes(parent))
    )
    for annotation in container.iter("annotation"):
        if annotation.get("encoding", "").lower() == "application/x-tex":
            return annotation.text_content(), display
    # Some copies (CSDN) keep KaTeX's MathML only as text: a token a line, then the TeX.
    for mathml in container.find_class("katex-mathml"):
        lines = [line for line in mathml.text_content().splitlines() if line.strip()]
        if len(mathml) == 0 and len(lines) >= 2:
            return lines[-1], display
    return None


def _alone_in_block(element: HtmlElement) -> bool:
    parent = element.getparent()
    return (
        parent is not None
        and parent.tag in _BLOCK_PARENTS
        and len(parent) == 1
        and not (parent.text or "").strip()
        and not (element.tail or "").strip()
    )


def _tex_in_image_url(src: str) -> Formula | None:
    try:
        url = urlsplit(src.strip())
    except ValueError:
        return None
    host, query = url.netloc.lower(), url.query
    if host.endswith("zhihu.com") and url.path == "/equation":
        tex = parse_qs(query).get("tex", [""])[0]
        # Zhihu marks display formulas with a trailing TeX line break.
        return (tex[:-2], True) if tex.rstrip().endswith("\\\\") else (tex, False)
    if host == "latex.codecogs.com" and _CODECOGS_PATH.match(url.path):
        tex = unquote(query).replace("&space;", " ")
        return _CODECOGS_OPTIONS.sub("", tex), False
    if host in ("chart.googleapis.com", "chart.apis.google.com") and url.path == "/chart":
        parameters = parse_qs(query)
        if parameters.get("cht") == ["tx"]:
            return parameters.get("chl", [""])[0], False
    return None


def _is_math_class(name: str) -> bool:
    return "math" in name or "latex" in name or name == "tex"


def image_formula(element: HtmlElement) -> Formula | None:
    """TeX of a formula image or of any element with a `data-tex` attribute."""
    found: Formula | None = None
    if element.get("data-tex"):
        found = unwrap_delimiters(element.get("data-tex", ""))
    elif element.tag == "img":
        found = _tex_in_image_url(element.get("src", ""))
        alt = element.get("alt", "").strip()
        if found is None and alt and any(map(_is_math_class, classes(element))):
            found = unwrap_delimiters(alt)
    if found is None or not found[0].strip():
        return None
    tex, display = found
    block_class = any("display" in c or "block" in c for c in classes(element))
    return tex, display or block_class or _alone_in_block(element)


def container_formula(element: HtmlElement) -> Formula | None:
    """TeX of a StackExchange `math-container` span (its text, with `$`/`$$` delimiters)."""
    if "math-container" not in classes(element):
        return None
    return unwrap_delimiters(element.text_content())


def unwrap_delimiters(text: str) -> Formula:
    """TeX without its delimiters; display for `$$`, `\\[`, or a `\\begin{...}` environment."""
    text = text.strip()
    for opener, closer, display in (
        ("$$", "$$", True),
        ("\\[", "\\]", True),
        ("\\(", "\\)", False),
        ("$", "$", False),
    ):
        if (
            len(text) >= len(opener) + len(closer)
            and text.startswith(opener)
            and text.endswith(closer)
        ):
            return text[len(opener) : -len(closer)], display
    return text, text.startswith("\\begin{")
