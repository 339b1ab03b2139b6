"""Code blocks: every spelling of the language becomes `language-x`; highlighting at render."""

from __future__ import annotations

import re

import lxml.html
import pytest

from incoming.clean import clean_html, highlight_code_blocks
from incoming.parse import parse_feed

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


# The shapes static-site generators and highlighters write, each as one clean block.
SHAPES = [
    (
        "Hexo figure.highlight with a gutter",
        '<figure class="highlight python"><table><tr><td class="gutter"><pre>'
        '<span class="line">1</span><br><span class="line">2</span><br></pre></td>'
        '<td class="code"><pre><span class="line"><span class="keyword">import</span> torch</span>'
        '<br><span class="line">x = <span class="number">1</span></span><br></pre></td></tr>'
        '</table><button class="copy-btn">复制</button></figure>',
        '<figure><pre><code class="language-python">import torch\nx = 1</code></pre></figure>',
    ),
    (
        "Hexo figure.highlight plain",
        '<figure class="highlight plain"><table><tr><td class="gutter"><pre>'
        '<span class="line">1</span><br></pre></td><td class="code"><pre>'
        '<span class="line">$ ls</span><br></pre></td></tr></table></figure>',
        "<figure><pre><code>$ ls</code></pre></figure>",
    ),
    (
        "Hugo/Chroma div.highlight with data-lang",
        '<div class="highlight"><pre tabindex="0" class="chroma">'
        '<code class="language-python" data-lang="python"><span class="line"><span class="cl">'
        '<span class="kn">import</span> torch\n</span></span></code></pre></div>',
        '<div><pre><code class="language-python">import torch\n</code></pre></div>',
    ),
    (
        "Hugo/Chroma line numbers inline",
        '<div class="highlight"><pre class="chroma"><code data-lang="go"><span class="line">'
        '<span class="ln">1</span><span class="cl">package main\n</span></span><span class="line">'
        '<span class="ln">2</span><span class="cl">func main() {}\n</span></span></code></pre>'
        "</div>",
        '<div><pre><code class="language-go">package main\nfunc main() {}\n</code></pre></div>',
    ),
    (
        "Hugo/Chroma line numbers in a table",
        '<div class="highlight"><div class="chroma"><table class="lntable"><tr><td class="lntd">'
        '<pre class="chroma"><code><span class="lnt">1\n</span><span class="lnt">2\n</span>'
        '</code></pre></td><td class="lntd"><pre class="chroma">'
        '<code class="language-go" data-lang="go">package main\nfunc main() {}\n</code></pre>'
        "</td></tr></table></div></div>",
        '<div><div><pre><code class="language-go">package main\nfunc main() {}\n</code></pre>'
        "</div></div>",
    ),
    (
        "Jekyll/Rouge with a line-number table",
        '<div class="language-ruby highlighter-rouge"><div class="highlight">'
        '<pre class="highlight"><code><table class="rouge-table"><tbody><tr>'
        '<td class="gutter gl"><pre class="lineno">1\n2\n</pre></td><td class="code">'
        "<pre>puts 1\nputs 2\n</pre></td></tr></tbody></table></code></pre></div></div>",
        '<div><div><pre><code class="language-ruby">puts 1\nputs 2\n</code></pre></div></div>',
    ),
    (
        "highlight.js 9 bare language class",
        '<pre><code class="hljs python">import torch\n</code></pre>',
        '<pre><code class="language-python">import torch\n</code></pre>',
    ),
    (
        "highlight.js line-number table",
        '<pre><code class="hljs language-python"><table class="hljs-ln"><tbody><tr>'
        '<td class="hljs-ln-line hljs-ln-numbers"><div class="hljs-ln-n" data-line-number="1">'
        '</div></td><td class="hljs-ln-line hljs-ln-code">import torch</td></tr><tr>'
        '<td class="hljs-ln-line hljs-ln-numbers"><div class="hljs-ln-n" data-line-number="2">'
        '</div></td><td class="hljs-ln-line hljs-ln-code">x = 1</td></tr></tbody></table>'
        "</code></pre>",
        '<pre><code class="language-python">import torch\nx = 1</code></pre>',
    ),
    (
        "Prism with line numbers and a copy toolbar",
        '<div class="code-toolbar"><pre class="language-python line-numbers">'
        '<code class="language-python"><span class="token keyword">import</span> torch\nx = 1'
        '<span aria-hidden="true" class="line-numbers-rows"><span></span><span></span></span>'
        '</code></pre><div class="toolbar"><div class="toolbar-item">'
        '<button class="copy-to-clipboard-button" type="button"><span>Copy</span></button>'
        "</div></div></div>",
        '<div><pre><code class="language-python">import torch\nx = 1</code></pre></div>',
    ),
    (
        "WordPress SyntaxHighlighter pre",
        '<pre class="brush: python; title: ; notranslate" title="">import torch</pre>',
        '<pre><code class="language-python">import torch</code></pre>',
    ),
    (
        "a copy label beside the block",
        '<div class="highlight"><pre><code class="language-python">x = 1\n</code></pre>'
        '<div class="copy-code-button">Copy</div></div>',
        '<div><pre><code class="language-python">x = 1\n</code></pre></div>',
    ),
]


@pytest.mark.parametrize(("name", "raw", "clean"), SHAPES, ids=[case[0] for case in SHAPES])
def test_generator_shapes_become_one_clean_block(name, raw, clean):
    assert clean_html(raw) == clean


def test_a_table_is_a_gutter_table_only_with_numbers_beside_code():
    kept = (
        "<table><tr><td>1 a</td><td><pre>x</pre></td></tr></table>",
        "<table><tr><td>1</td><td>no code</td></tr></table>",
    )
    for raw in kept:
        assert "<table>" in clean_html(raw)


CORPUS_CODE = {
    # DIYgod's Hexo blog: figure.highlight tables with gutters.
    "parser/well/diygod-me-atom.xml": {"js": 9, "html": 6, "bash": 2, "css": 1},
    # A Jekyll blog: Rouge's div.language-x.highlighter-rouge.
    "parser/warn/https-www-dozer-cc-feed.xml": {"sh": 17, "yaml": 7, "groovy": 6, "go": 4},
}


@pytest.mark.corpus
@pytest.mark.parametrize(("name", "languages"), CORPUS_CODE.items())
def test_corpus_generator_code_keeps_its_languages(corpus, name, languages):
    path = corpus / "feeds/zh/rssant/feedlib/testdata" / name
    feed = parse_feed(path.read_bytes(), url="https://corpus.example/feed")
    cleaned = "".join(clean_html(entry.content_html, entry.base_url) for entry in feed.entries)
    for language, count in languages.items():
        assert cleaned.count(f'<pre><code class="language-{language}">') >= count, language
    assert not re.search(r"<td>\s*<pre>", cleaned)  # no code left in a gutter table
