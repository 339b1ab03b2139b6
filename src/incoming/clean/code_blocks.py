"""Code blocks in one shape: `<pre><code class="language-x">plain text</code></pre>`.

Feeds spell the language many ways (`lang-x`, `language-x` on the pre, GitHub's
`highlight-source-x` wrapper, SyntaxHighlighter's `brush: x`, `data-lang`, Pandoc's
`sourceCode x`); all become one class the highlighter reads. The block's content becomes plain
text: earlier highlighting markup and line-number gutters would only be noise.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from incoming.clean.allowlist import CODE_LANGUAGE_CLASS
from incoming.clean.fragments import classes

_CLASS_LANGUAGE = re.compile(
    r"(?:^|\s)(?:language-|lang-|highlight-source-|brush:\s*|sourceCode\s+)([\w+#.-]+)", re.I
)
_NOT_LANGUAGES = frozenset({"none", "text", "plain", "plaintext", "txt", "nohighlight", "auto"})
_LINE_NUMBERS = frozenset(
    {"pre-numbering", "hljs-ln-numbers", "linenos", "lineno", "line-numbers-rows", "gutter"}
)
# SyntaxHighlighter's own classes, beside the brush name.
_FLAGS = frozenset({"syntaxhighlighter", "nogutter", "collapsed", "printing"})
_ANCESTORS_TO_SEARCH = 3


def _normalized(name: str) -> str | None:
    name = name.strip().lower().rstrip(";")
    if name in _NOT_LANGUAGES or not CODE_LANGUAGE_CLASS.fullmatch(f"language-{name}"):
        return None
    return name


def _language_of(element: HtmlElement) -> str | None:
    match = _CLASS_LANGUAGE.search(element.get("class", ""))
    named = match.group(1) if match else element.get("data-lang") or element.get("data-language")
    return _normalized(named) if named else None


def _language_near(pre: HtmlElement) -> str | None:
    """The language named on the block's code, on the pre, or on a close wrapper."""
    for code in pre.iter("code"):
        if language := _language_of(code):
            return language
    element: HtmlElement | None = pre
    for _ in range(_ANCESTORS_TO_SEARCH + 1):
        if element is None:
            break
        if language := _language_of(element):
            return language
        element = element.getparent()
    return None


def _plain_text(pre: HtmlElement) -> str:
    for element in list(pre.iter()):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element is not pre and not classes(element).isdisjoint(_LINE_NUMBERS):
            element.drop_tree()
    return pre.text_content()


def normalize_code_block(pre: HtmlElement) -> None:
    """Rewrite pre in place as a single `<code>` with plain text and the language class."""
    language = _language_near(pre)
    text = _plain_text(pre)
    gutter = pre.getnext()  # libxml2 moves a <ul> gutter out of the <pre>, just after it
    if gutter is not None and not classes(gutter).isdisjoint(_LINE_NUMBERS):
        gutter.drop_tree()
    pre.clear(keep_tail=True)
    _fill(pre, text, language)


def _fill(pre: HtmlElement, text: str, language: str | None) -> None:
    """Give pre its single code child; no-break spaces (a rendering habit) become spaces."""
    code = etree.SubElement(pre, "code")
    code.text = text.replace("\xa0", " ")
    if language:
        code.set("class", f"language-{language}")


def is_syntaxhighlighter(element: HtmlElement) -> bool:
    """SyntaxHighlighter 3 output: a table of a gutter cell and a code cell of line divs,
    usually in a `div.syntaxhighlighter` naming the brush (some copies keep only the table)."""
    if element.tag == "div":
        return "syntaxhighlighter" in classes(element)
    return element.tag == "table" and any(
        cell.tag == "td" and cell.find_class("line") for cell in element.find_class("code")
    )


def syntaxhighlighter_block(highlighter: HtmlElement) -> HtmlElement:
    """The SyntaxHighlighter output as one code block, gutter left out."""
    lines = [
        line.text_content()
        for cell in highlighter.find_class("code")
        if cell.tag == "td"
        for line in cell.find_class("line")
    ]
    brushes = [name for name in highlighter.get("class", "").split() if name not in _FLAGS]
    if not brushes:  # a bare table: each line's code elements are classed "<brush> plain"
        brushes = next((code.get("class", "").split()[:1] for code in highlighter.iter("code")), [])
    language = next(filter(None, map(_normalized, brushes)), None)
    pre = highlighter.makeelement("pre")
    _fill(pre, "\n".join(lines), language)
    pre.tail = highlighter.tail
    return pre
