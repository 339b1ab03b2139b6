"""Hypothesis strategies for HTML as hostile feeds send it."""

from __future__ import annotations

from hypothesis import strategies as st

FRAGMENTS = [
    *(
        "<script>",
        "</script>",
        "<script type='math/tex'>",
        '<script type="math/tex; mode=display">',
    ),
    *("<img src=x onerror=alert(1)>", "<img src='", "<a href='", "<a href=", "<p>", "</p>"),
    *(
        "javascript:",
        "JaVa\tScRiPt:",
        "&#106;avascript:",
        "vbscript:",
        "data:text/html,",
        "&colon;",
    ),
    *("\\(", "\\)", "\\[", "\\]", "$", "$$", "x^2", "\\frac{", "{", "}", "\\href{javascript:x}{y}"),
    *("<math>", "</math>", "<mi>", "<mtext>", '<annotation encoding="application/x-tex">'),
    *('<annotation-xml encoding="text/html">', "<svg onload=alert(1)>", "<style>", "<iframe>"),
    *("<span class='katex'>", '<span class="katex-html">', "<pre>", "<code class='lang-py'>"),
    *("<table>", "<td>", "<textarea>", "<noscript>", "<template>", "<base href=//evil.example>"),
    *("<!--", "-->", "<![CDATA[", "]]>", "<?xml ?>", "<!DOCTYPE html>", "<html>", "</body>"),
    *('"', "'", "`", "<", ">", "=", " on", "onload=", "style=", "id=", "name=", "srcset="),
    *("\x00", "\x0c", "\u2028", "\ufdd0", "\ufdd00\ufdd1", "中文", "😀", "e\u0301", "&", "&amp;"),
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
]

HTML_LIKE = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=40).map(
    "".join
)

ANY_INPUT = st.one_of(st.text(), HTML_LIKE)
