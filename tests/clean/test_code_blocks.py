"""Code blocks: every spelling of the language becomes `language-x`; highlighting at render."""

from __future__ import annotations

import lxml.html
import pytest

from incoming.clean import clean_html, highlight_code_blocks

SPELLINGS = [
    ("language- on code", '<pre><code class="language-python">x</code></pre>', "python"),
    ("lang- on code", '<pre><code class="lang-go">x</code></pre>', "go"),
    ("language- on pre", '<pre class="language-rust">x</pre>', "rust"),
    ("lang- on pre", '<pre class="prettyprint lang-js">x</pre>', "js"),
    ("GitHub wrapper", '<div class="highlight highlight-source-ruby"><pre>x</pre></div>', "ruby"),
    (
        "Rouge wrapper",
        '<div class="language-c highlighter-rouge"><div class="highlight">'
        '<pre class="highlight"><code>x</code></pre></div></div>',
        "c",
    ),
    ("SyntaxHighlighter brush", '<pre class="brush: java; gutter: false">x</pre>', "java"),
    ("data-lang on pre", '<pre data-lang="SQL">x</pre>', "sql"),
    ("data-lang on code", '<pre><code data-lang="bash">x</code></pre>', "bash"),
    (
        "Pandoc",
        '<pre class="sourceCode haskell"><code class="sourceCode haskell">x</code></pre>',
        "haskell",
    ),
    ("C++ and C#", '<pre><code class="language-c++">x</code></pre>', "c++"),
]


@pytest.mark.parametrize(
    ("name", "raw", "language"), SPELLINGS, ids=[case[0] for case in SPELLINGS]
)
def test_language_spellings_are_normalized(name, raw, language):
    assert f'<pre><code class="language-{language}">x</code></pre>' in clean_html(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "<pre>x</pre>",
        '<pre><code class="language-none">x</code></pre>',
        '<pre><code class="language-plaintext">x</code></pre>',
        '<pre class="lang-<script>">x</pre>',
        '<pre data-lang="a very long name that is not a language at all">x</pre>',
    ],
)
def test_blocks_without_a_usable_language_get_no_class(raw):
    assert clean_html(raw) == "<pre><code>x</code></pre>"


def test_code_blocks_inside_math_are_still_code_blocks():
    assert clean_html("<math><pre>x</pre></math>") == "<math></math><pre><code>x</code></pre>"


def test_block_content_becomes_plain_text():
    raw = (
        '<pre><code class="prism language-python"><span class="token keyword">def</span> f():'
        "<br>    return 1</code></pre>"
    )
    assert clean_html(raw) == (
        '<pre><code class="language-python">def f():\n    return 1</code></pre>'
    )


def test_line_number_gutters_are_dropped():
    raw = (
        '<pre class="language-js"><code>a\nb</code>'
        '<ul class="pre-numbering"><li>1</li><li>2</li></ul></pre>'
    )
    assert clean_html(raw) == '<pre><code class="language-js">a\nb</code></pre>'


def test_syntaxhighlighter_tables_become_code_blocks():
    raw = (
        '<div class="syntaxhighlighter java"><table><tr><td class="gutter">'
        '<div class="line">1</div><div class="line">2</div></td>'
        '<td class="code"><div class="container">'
        '<div class="line"><code class="java plain">int a;</code></div>'
        '<div class="line"><code class="java plain">a&lt;b</code></div></div></td></tr></table>'
        "</div><p>after</p>"
    )
    assert clean_html(raw) == (
        '<pre><code class="language-java">int a;\na&lt;b</code></pre><p>after</p>'
    )


def test_highlighting_uses_pygments_classes():
    clean = clean_html(
        '<pre><code class="language-python">def f(x):\n    return x &lt; 2</code></pre>'
    )
    assert highlight_code_blocks(clean) == (
        '<pre class="highlight"><code class="language-python"><span class="k">def</span>'
        '<span class="w"> </span><span class="nf">f</span><span class="p">(</span>'
        '<span class="n">x</span><span class="p">):</span>\n    <span class="k">return</span> '
        '<span class="n">x</span> <span class="o">&lt;</span> <span class="mi">2</span>'
        "</code></pre>"
    )


@pytest.mark.parametrize(
    "clean",
    [
        '<pre><code class="language-notalanguage">a &lt; b</code></pre>',
        "<pre><code>plain &amp; simple</code></pre>",
        '<p><code class="language-python">inline, not a block</code></p>',
        '<p>no code at all <math display="inline"><mi>x</mi></math></p>',
    ],
)
def test_highlighting_leaves_everything_else_untouched(clean):
    assert highlight_code_blocks(clean) == clean


def test_highlighting_keeps_code_text_exactly():
    code = "x = '<tag>' & \"q\"\n\n\ny = 2\n"
    escaped = code.replace("&", "&amp;").replace("<", "&lt;")
    clean = clean_html(f'<pre><code class="language-python">{escaped}</code></pre>')
    highlighted = highlight_code_blocks(clean)
    assert lxml.html.fromstring(highlighted).text_content() == code
