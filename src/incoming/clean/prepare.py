"""The pass over raw HTML before sanitizing: what nh3 would destroy is read out first.

Formulas become placeholders (nh3 drops script content, KaTeX's annotation and the classes that
mark math), code blocks get their language class, images their real source and lazy loading.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import HtmlElement

from incoming.clean.code_blocks import (
    gutter_table_block,
    is_gutter_table,
    is_syntaxhighlighter,
    normalize_code_block,
    syntaxhighlighter_block,
)
from incoming.clean.formulas import FormulaStore
from incoming.clean.fragments import classes
from incoming.clean.math_sources import (
    RENDERED_MATH_CLASSES,
    Formula,
    container_formula,
    image_formula,
    is_math_script,
    is_rendered_math,
    rendered_formula,
    script_formula,
)
from incoming.clean.tex_text import replace_delimited_math

# Text inside these is code, raw text or already math: `\(` there is not a formula.
_NOT_PROSE = frozenset(
    {"pre", "code", "kbd", "samp", "tt", "script", "style", "textarea", "math", "title", "xmp"}
)
_LAZY_SOURCES = ("data-src", "data-original", "data-actualsrc", "data-lazy-src")


class _Found:
    """What the walk over the raw tree set aside to rewrite once the walk is over."""

    def __init__(self) -> None:
        self.scripts: list[HtmlElement] = []
        self.rendered: list[HtmlElement] = []
        self.formulas: list[tuple[HtmlElement, Formula]] = []
        self.highlighter_tables: list[HtmlElement] = []
        self.gutter_tables: list[HtmlElement] = []


def _replace_with_text(element: HtmlElement, text: str) -> None:
    element.tail = text + (element.tail or "")
    element.drop_tree()


def _prepare_image(image: HtmlElement) -> None:
    """Lazy-loading attributes set here, not by nh3, to keep attributes in a stable order."""
    source = image.get("src", "")
    if not source or source.startswith("data:"):
        lazy = next(filter(None, map(image.get, _LAZY_SOURCES)), None)
        if lazy:
            image.set("src", lazy)
    if not image.get("srcset") and image.get("data-srcset"):
        image.set("srcset", image.get("data-srcset", ""))
    image.set("loading", "lazy")
    image.set("decoding", "async")


def _set_aside(element: HtmlElement, found: _Found) -> bool:
    """Record element if it needs rewriting as a whole; True if its content is not prose."""
    if is_math_script(element):
        found.scripts.append(element)
    elif is_rendered_math(element):
        found.rendered.append(element)
    elif formula := image_formula(element) or container_formula(element):
        found.formulas.append((element, formula))
    elif is_syntaxhighlighter(element):
        found.highlighter_tables.append(element)
    elif is_gutter_table(element):
        found.gutter_tables.append(element)
    else:
        return element.tag in _NOT_PROSE
    return True


def _walk(root: HtmlElement, store: FormulaStore) -> _Found:
    found = _Found()

    def placeholder(tex: str, display: bool) -> str:
        return store.placeholder(tex, display=display)

    walker = etree.iterwalk(root, events=("start",))
    for _event, element in walker:
        if element is not root and element.tail and "\\" in element.tail:
            element.tail = replace_delimited_math(element.tail, placeholder)
        if _set_aside(element, found):
            walker.skip_subtree()
        elif element.text and "\\" in element.text:
            element.text = replace_delimited_math(element.text, placeholder)
    return found


def _lift_script(script: HtmlElement, store: FormulaStore) -> None:
    """A MathJax source script; MathJax's rendering of it, just before, goes too."""
    while (previous := script.getprevious()) is not None and not classes(previous).isdisjoint(
        RENDERED_MATH_CLASSES
    ):
        previous.drop_tree()
    tex, display = script_formula(script)
    _replace_with_text(script, store.placeholder(tex, display=display))


def _lift_rendered(container: HtmlElement, store: FormulaStore) -> None:
    """KaTeX/MathJax output: converted again from its TeX, else its MathML, else nothing."""
    if formula := rendered_formula(container):
        tex, display = formula
        _replace_with_text(container, store.placeholder(tex, display=display))
    elif (math := next(container.iter("math"), None)) is not None:
        math.tail = container.tail
        container.getparent().replace(container, math)
    else:
        container.drop_tree()


def prepare(root: HtmlElement, store: FormulaStore) -> None:
    """Rewrite the raw tree under root in place (see the module docstring)."""
    found = _walk(root, store)
    for script in found.scripts:
        _lift_script(script, store)
    for container in found.rendered:
        if container.getparent() is not None:  # not already gone with a MathJax script
            _lift_rendered(container, store)
    for element, (tex, display) in found.formulas:
        _replace_with_text(element, store.placeholder(tex, display=display))
    for table in found.highlighter_tables:
        table.getparent().replace(table, syntaxhighlighter_block(table))
    for table in found.gutter_tables:
        table.getparent().replace(table, gutter_table_block(table))
    # Code blocks and images wherever they are: HTML parsers disagree on them inside <math>.
    for pre in _outermost(root, "pre"):
        normalize_code_block(pre)
    for image in root.iter("img"):
        _prepare_image(image)


def _outermost(root: HtmlElement, tag: str) -> list[HtmlElement]:
    """Elements with tag that are not inside another one (nested blocks fold into the outer)."""
    found = []
    walker = etree.iterwalk(root, events=("start",), tag=tag)
    for _event, element in walker:
        found.append(element)
        walker.skip_subtree()
    return found
