"""Code blocks in one shape: `<pre><code class="language-x">plain text</code></pre>`.

Feeds spell the language many ways (`lang-x`, `language-x` on the pre, GitHub's
`highlight-source-x` wrapper, SyntaxHighlighter's `brush: x`, `data-lang`, Pandoc's
`sourceCode x`, Hexo's `figure.highlight x`, highlight.js 9's `hljs x`); all become one class
the highlighter reads. The block's content becomes plain text: earlier highlighting markup,
line-number gutters (Hexo, Chroma, Rouge, highlight.js, Prism) and copy buttons would only be
noise.
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
    | {"ln", "lnt"}  # Chroma's numbers, inline in each line or in a gutter of their own
)
# Hexo's `figure.highlight python` and highlight.js 9's `code.hljs python` name the language as
# a bare class beside these; the other classes there are not languages.
_BARE_LANGUAGE_HOSTS = frozenset({"highlight", "hljs"})
_NOT_BARE_LANGUAGES = _BARE_LANGUAGE_HOSTS | {"chroma", "highlighter-rouge", "notranslate"}
# Copy buttons and toolbars that themes put beside a block (a <button> goes with the sanitizer).
_CHROME = frozenset(
    {"copy-btn", "copy-button", "copy-code", "copy-code-button", "code-copy", "btn-copy"}
    | {"copy-code-btn", "copy-to-clipboard-button", "clipboard-btn", "toolbar"}
)
_WRAPPERS = frozenset({"highlight", "code-toolbar", "highlighter-rouge", "code-block"})
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
    if named:
        return _normalized(named)
    names = classes(element)
    if names.isdisjoint(_BARE_LANGUAGE_HOSTS):
        return None
    bare = sorted(names - _NOT_BARE_LANGUAGES)
    return _normalized(bare[0]) if len(bare) == 1 else None


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
    """The block's text; a table inside (highlight.js line numbers) gives a line per row."""
    rows = [row for row in pre.iter("tr")]
    for element in list(pre.iter()):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element is not pre and not classes(element).isdisjoint(_LINE_NUMBERS):
            element.drop_tree()
    for row in rows[:-1]:
        row.tail = "\n" + (row.tail or "")
    return pre.text_content()


def normalize_code_block(pre: HtmlElement) -> None:
    """Rewrite pre in place as a single `<code>` with plain text and the language class."""
    language = _language_near(pre)
    text = _plain_text(pre)
    gutter = pre.getnext()  # libxml2 moves a <ul> gutter out of the <pre>, just after it
    if gutter is not None and not classes(gutter).isdisjoint(_LINE_NUMBERS):
        gutter.drop_tree()
    _drop_chrome(pre)
    pre.clear(keep_tail=True)
    _fill(pre, text, language)


def _drop_chrome(pre: HtmlElement) -> None:
    """Copy buttons and toolbars in the block's wrapper (up to two levels up), not the code."""
    wrapper = pre.getparent()
    for _ in range(2):
        if wrapper is None:
            return
        if wrapper.tag == "figure" or not classes(wrapper).isdisjoint(_WRAPPERS):
            for element in list(wrapper.iter()):
                if element is not pre and not classes(element).isdisjoint(_CHROME):
                    element.drop_tree()
            return
        wrapper = wrapper.getparent()


def is_gutter_table(element: HtmlElement) -> bool:
    """A table of one row: a cell of line numbers, then a cell holding the code's `<pre>`
    (Chroma's `table.lntable`, and the like from other highlighters)."""
    if element.tag != "table":
        return False
    rows = list(element.iter("tr"))
    if len(rows) != 1:
        return False
    cells = [cell for cell in rows[0] if cell.tag == "td"]
    return (
        len(cells) == 2
        and cells[0].text_content().split() != []
        and all(word.isdigit() for word in cells[0].text_content().split())
        and next(cells[1].iter("pre"), None) is not None
    )


def gutter_table_block(table: HtmlElement) -> HtmlElement:
    """The code cell's `<pre>` of a gutter table, to stand in the table's place."""
    cell = [cell for cell in next(table.iter("tr")) if cell.tag == "td"][1]
    pre = next(cell.iter("pre"))
    pre.tail = table.tail
    return pre


def _fill(pre: HtmlElement, text: str, language: str | None) -> None:
    """Give pre its single code child; no-break spaces (a rendering habit) become spaces."""
    code = etree.SubElement(pre, "code")
    code.text = text.replace("\xa0", " ")
    if language:
        code.set("class", f"language-{language}")


def _wrapper_language(element: HtmlElement) -> str | None:
    """The language a close wrapper names (Hexo's table sits in `figure.highlight python`)."""
    wrapper = element.getparent()
    for _ in range(_ANCESTORS_TO_SEARCH):
        if wrapper is None:
            return None
        if language := _language_of(wrapper):
            return language
        wrapper = wrapper.getparent()
    return None


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
    language = next(filter(None, map(_normalized, brushes)), None) or _wrapper_language(highlighter)
    pre = highlighter.makeelement("pre")
    _fill(pre, "\n".join(lines), language)
    pre.tail = highlighter.tail
    return pre
