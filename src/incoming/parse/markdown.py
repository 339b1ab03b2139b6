r"""Markdown notes to HTML, every math form left as text `\(TeX\)` / `\[TeX\]` for the cleaner.

The cleaning stage turns `\(..\)` and `\[..\]` in text into MathML, so here each math
syntax (`$..$`, `$$..$$`, amsmath environments, and `\(..\)` / `\[..\]` themselves, whose
backslashes Markdown would otherwise take as escapes) only has to be recognised,
protected from Markdown, and written back with those delimiters, HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.front_matter import front_matter_plugin

_BRACKETS = {"\\(": "\\)", "\\[": "\\]"}
_INLINE_MATH_TOKENS = ("math_inline",)
_DISPLAY_MATH_TOKENS = ("math_inline_double",)
_BLOCK_MATH_TOKENS = ("math_block", "math_block_label", "amsmath")


def render_markdown(text: str) -> str:
    """Render a note's Markdown (front matter is skipped) to HTML that is not yet sanitized."""
    return markdown_parser().render(text)


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough, raw HTML kept, and every math syntax."""
    md = (
        MarkdownIt("commonmark", {"linkify": False})
        .enable(["table", "strikethrough"])
        .use(front_matter_plugin)
        .use(dollarmath_plugin, double_inline=True)
        .use(amsmath_plugin)
    )
    md.core.ruler.push("fence_attributes", _fence_attributes)
    md.inline.ruler.at("math_inline", _dollar_math_inline)
    md.inline.ruler.before("escape", "math_bracket_inline", _bracket_math_inline)
    # Display math on its own lines may follow a line of text directly, as notes often do.
    interrupts = {"alt": ["paragraph", "reference", "blockquote", "list"]}
    md.block.ruler.at("math_block", _dollar_math_block, interrupts)
    md.block.ruler.before("fence", "math_bracket_block", _bracket_math_block, interrupts)
    for name in _INLINE_MATH_TOKENS:
        md.add_render_rule(name, _render_inline_math)
    for name in _DISPLAY_MATH_TOKENS:
        md.add_render_rule(name, _render_display_math)
    for name in _BLOCK_MATH_TOKENS:
        md.add_render_rule(name, _render_block_math)
    return md


def _fence_attributes(state: StateCore) -> None:
    """Pandoc attribute fences (d2l's ```` ```{.python .input} ````): the first class is the
    language, the rest is dropped, so the code keeps its language like ```` ```python ````."""
    for token in state.tokens:
        if token.type != "fence" or not token.info.lstrip().startswith("{"):
            continue
        classes = [word[1:] for word in token.info.strip(" {}").split() if word.startswith(".")]
        token.info = classes[0] if classes else ""


_dollar_math = math_inline_dollar(allow_space=True, allow_digits=True, allow_double=True)


def _dollar_math_inline(state: StateInline, silent: bool) -> bool:
    """Inline `$..$`, but not a span that opens like a price ("$5 and $6", "$5,$6").

    TeX that opens with a digit must hug its closing `$`, which no digit may follow, and
    stay on one line outside code; other spans may be loose (`$\\gamma \\in [0,1] $` is
    common), and `$-$2` stays math, which Pandoc's blanket digit rule would refuse.
    """
    start = state.pos
    if not _dollar_math(state, True):
        return False
    closing = state.pos - 1
    state.pos = start
    content = state.src[start + 1 : closing]
    if not content.startswith("$") and _looks_like_price(content, state.src[closing + 1 :]):
        return False
    return _dollar_math(state, silent)


def _looks_like_price(content: str, after: str) -> bool:
    return content.lstrip()[:1].isdigit() and (
        content[:1].isspace()
        or content[-1:].isspace()
        or after[:1].isdigit()
        or any(mark in content for mark in ("\n", "`"))
    )


_dollar_math_block_rule = math_block_dollar(allow_blank_lines=True)


def _dollar_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """dollarmath's `$$` block rule, made to honour `silent` so it may interrupt paragraphs."""
    if not silent:
        return _dollar_math_block_rule(state, start_line, end_line, False)
    line, token_count = state.line, len(state.tokens)
    found = _dollar_math_block_rule(state, start_line, end_line, False)
    del state.tokens[token_count:]
    state.line = line
    return found


def _bracket_math_inline(state: StateInline, silent: bool) -> bool:
    r"""`\(..\)` and `\[..\]` inside a paragraph, before `\(` is read as an escaped paren."""
    opening = state.src[state.pos : state.pos + 2]
    closing = _BRACKETS.get(opening)
    if closing is None:
        return False
    end = state.src.find(closing, state.pos + 2)
    if end < 0 or not state.src[state.pos + 2 : end].strip():
        return False
    if not silent:
        token = state.push("math_inline" if opening == "\\(" else "math_inline_double", "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup = opening
    state.pos = end + 2
    return True


def _bracket_math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    r"""A `\[` that starts a line opens display math that ends with the line ending in `\]`."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    line = start_line
    while line < end_line:
        line_start = begin + 2 if line == start_line else state.bMarks[line] + state.tShift[line]
        line_text = state.src[line_start : state.eMarks[line]].rstrip()
        if line > start_line and not line_text and state.sCount[line] < state.blkIndent:
            return False
        if line_text.endswith("\\]"):
            break
        line += 1
    else:
        return False
    if silent:
        return True
    content = state.getLines(start_line, line + 1, state.tShift[start_line], False).strip()
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content[2:-2]
    token.markup = "\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def _render_inline_math(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"\\({escapeHtml(tokens[idx].content.strip())}\\)"


def _render_display_math(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f"\\[{escapeHtml(tokens[idx].content.strip())}\\]"


def _render_block_math(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math display">\\[{escapeHtml(tokens[idx].content.strip())}\\]</div>\n'
