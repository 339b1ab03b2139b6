"""Syntax highlighting at render time, with Pygments, of the code blocks clean_html wrote.

Only our own clean output is a valid input: its code blocks are exactly
`<pre><code class="language-x">escaped text</code></pre>`, so a pattern finds them reliably.
The result is `<pre class="highlight"><code class="language-x">` with Pygments' short CSS
classes inside; `HtmlFormatter().get_style_defs(".highlight")` styles it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

_CODE_BLOCK = re.compile(r'<pre><code class="language-([a-z0-9_+#.-]+)">([^<]*)</code></pre>')
_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=128)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def _highlighted(match: re.Match[str]) -> str:
    language, escaped = match.groups()
    lexer = _lexer(language)
    if lexer is None:  # unknown language: no guessing, the escaped text stays as it is
        return match.group()
    code = unescape(escaped)
    spans = highlight(code, lexer, _FORMATTER)
    if spans.endswith("\n") and not code.endswith("\n"):
        spans = spans[:-1]
    return f'<pre class="highlight"><code class="language-{language}">{spans}</code></pre>'


def highlight_code_blocks(clean_html: str) -> str:
    """clean_html with each code block of a known language highlighted; all else untouched."""
    return _CODE_BLOCK.sub(_highlighted, clean_html)
