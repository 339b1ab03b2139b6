"""render_markdown: CommonMark plus tables, and every math form as text `\\(..\\)` / `\\[..\\]`."""

from __future__ import annotations

import pytest

from incoming.parse import render_markdown


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$a_1 < b$", "<p>\\(a_1 &lt; b\\)</p>"),
        ("\\(x^2\\) and \\(y\\)", "<p>\\(x^2\\) and \\(y\\)</p>"),
        ("before $$\\sum_i x$$ after", "<p>before \\[\\sum_i x\\] after</p>"),
        ("inline \\[a\\] display", "<p>inline \\[a\\] display</p>"),
        ("got $-$2 points", "<p>got \\(-\\)2 points</p>"),
        ("$2x$ is fine", "<p>\\(2x\\) is fine</p>"),
        ("loose $\\gamma \\in [0,1] $ spacing", "<p>loose \\(\\gamma \\in [0,1]\\) spacing</p>"),
        ("it costs $5 and $6", "<p>it costs $5 and $6</p>"),
        ("either $5,$6 or $10", "<p>either $5,$6 or $10</p>"),
        ("pay $5 for a $\\beta$ test", "<p>pay $5 for a \\(\\beta\\) test</p>"),
        ("escaped \\$5 and \\$x\\$", "<p>escaped $5 and $x$</p>"),
        ("`$x$` and `\\(y\\)`", "<p><code>$x$</code> and <code>\\(y\\)</code></p>"),
        ("\\\\(literal backslash\\\\)", "<p>\\(literal backslash\\)</p>"),
        ("an \\( unclosed paren", "<p>an ( unclosed paren</p>"),
    ],
)
def test_inline_math(source, expected):
    assert render_markdown(source).strip() == expected


@pytest.mark.parametrize(
    "source",
    [
        "$$\nE = mc^2\n$$",
        "$$E = mc^2$$",
        "$$ E = mc^2 $$ (eq:einstein)",
        "\\[\nE = mc^2\n\\]",
        "\\[E = mc^2\\]",
    ],
)
def test_display_math_gets_its_own_block(source):
    assert render_markdown(source) == '<div class="math display">\\[E = mc^2\\]</div>\n'


def test_display_math_may_follow_a_line_of_text_directly():
    html = render_markdown("The loss is\n$$\nL < 0\n$$\nso there.")
    assert html == (
        '<p>The loss is</p>\n<div class="math display">\\[L &lt; 0\\]</div>\n<p>so there.</p>\n'
    )


def test_amsmath_environment_is_kept_whole_inside_display_math():
    html = render_markdown("\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}")
    assert html == (
        '<div class="math display">\\[\\begin{align}\na &amp;= b \\\\\nc &amp;= d\n'
        "\\end{align}\\]</div>\n"
    )


def test_math_inside_lists_blockquotes_and_tables():
    assert "<li>\\(z\\)</li>" in render_markdown("- $z$")
    assert '<div class="math display">\\[q\\]</div>' in render_markdown("> $$\n> q\n> $$")
    assert "<td>\\(x|y\\)</td>" in render_markdown("| a |\n|---|\n| $x\\|y$ |")


def test_fenced_code_keeps_its_language_and_no_math():
    html = render_markdown('```python\nprint("$x$", r"\\(y\\)")\n```')
    assert html == (
        '<pre><code class="language-python">print(&quot;$x$&quot;, r&quot;\\(y\\)&quot;)\n'
        "</code></pre>\n"
    )


def test_commonmark_extras_and_raw_html():
    html = render_markdown("~~gone~~ <kbd>Ctrl</kbd> https://not.linked.example")
    assert html == ("<p><s>gone</s> <kbd>Ctrl</kbd> https://not.linked.example</p>\n")
    assert "<table>" in render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")


def test_front_matter_is_not_rendered():
    assert render_markdown("---\ntitle: x\n---\nbody").strip() == "<p>body</p>"
