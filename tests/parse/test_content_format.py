"""What entry content really is: HTML declared as text, Markdown, plain text; and the override."""

from __future__ import annotations

from pathlib import Path

import pytest

from incoming.clean import clean_html
from incoming.parse import parse_feed
from incoming.parse.content_format import (
    ContentFormat,
    content_format,
    decide_format,
    read_content,
    score_markdown,
    survey_html,
)
from incoming.parse.markdown import render_markdown
from tests.clean.inert import active_content

HTML = ContentFormat.HTML
MARKDOWN = ContentFormat.MARKDOWN
TEXT = ContentFormat.TEXT

# (content, declared as HTML, the format it must be read as)
CASES = [
    ("<p>一段</p><p>两段 <strong>加粗</strong></p>", False, HTML),
    (
        '<h2 id="x">标题</h2>\n<figure class="highlight"><table><tr><td>1</td></tr></table>'
        "</figure>",
        False,
        HTML,
    ),
    ("<p>one paragraph only</p>", False, HTML),
    # Plain text that mentions tags, comparisons and generics stays text.
    ("When a < b holds, List<T> sorts x<y> first.", False, TEXT),
    ("Use <b>bold</b> sparingly, and never in a long paragraph like this one.", False, TEXT),
    ("#include <stdio.h>\n#include <vector>\nint main() { return 0; }", False, TEXT),
    ("vector<int> v; if (v.size() < 3 && x > 1) { }", False, TEXT),
    ("1. 写总结\n2. 跑基线", False, TEXT),
    ("价格是 $5 和 $6。\n**注意**", False, TEXT),
    # Markdown: several kinds of syntax together.
    ("# 标题\n\n正文见 [链接](https://example.org)。", False, MARKDOWN),
    ("```python\nprint(1)\n```\n\n- 一\n- 二", False, MARKDOWN),
    ("$$\nx^2\n$$\n\n这是 **重点**。", False, MARKDOWN),
    # HTML-looking Markdown: a little inline HTML does not make it HTML.
    (
        '<p align="center"><img src="logo.png"></p>\n\n# 项目\n\n```bash\npip install x\n```\n\n'
        "- 第一 <br> 第二\n- 见 [文档](https://example.org/docs)",
        False,
        MARKDOWN,
    ),
    ("## 思路\n\n`getchar` 逐字读入\n\n```cpp\nint x;\n```", True, MARKDOWN),
    # Declared HTML: kept, unless it has no element and several lines.
    ("<p>real <em>HTML</em></p>", True, HTML),
    ("one line &amp; no element", True, HTML),
    ("第一行\n第二行\n\n第二段", True, TEXT),
]


@pytest.mark.parametrize(("value", "declared_html", "expected"), CASES)
def test_each_content_is_read_as_what_it_is(
    value: str, declared_html: bool, expected: ContentFormat
) -> None:
    decision = decide_format(value, declared_html=declared_html)
    assert decision.format is expected, decision.reason
    assert decision.reason


def test_the_decision_says_why() -> None:
    html = decide_format("<p>a</p><p>b</p>", declared_html=False)
    assert html.reason == "declared text; 2 well-formed HTML elements make up 100% of it"
    markdown = decide_format("# T\n\n[a](https://x.org) and `b`", declared_html=False)
    assert markdown.reason == (
        "declared text; reads as Markdown (score 5: headings, inline code, links)"
    )
    forced = decide_format("<p>a</p>", declared_html=True, override=TEXT)
    assert (forced.format, forced.reason) == (TEXT, "the source's format is set to text")


def test_unclosed_or_unknown_tags_do_not_count_as_html() -> None:
    assert survey_html("a <p> b <div> c").elements == 0
    assert survey_html("<T> and <Vector> and </y>").elements == 0
    assert survey_html("<br><hr/>").elements == 2
    survey = survey_html("<p>a <b>b</b></p> tail text that is long")
    assert survey.elements == 2
    assert 0 < survey.share < 1


def test_markup_the_html_tokenizer_chokes_on_is_surveyed_up_to_there() -> None:
    survey = survey_html('<p>a</p><![><img src="]><img src=x onerror=alert(1)//">')
    assert survey.elements == 1
    decision = decide_format('<![><img src="]><img src=x onerror=alert(1)//">', declared_html=True)
    assert decision.format is HTML


def test_markdown_inside_code_or_html_blocks_is_not_counted() -> None:
    assert score_markdown("<pre>\n# not a heading\n- nor a list\n</pre>").score == 0
    assert score_markdown("    # indented code\n    [x](y)").score == 0


def test_each_format_becomes_html() -> None:
    text = read_content("a < b\nnext line\n\nnew paragraph", declared_html=False)
    assert text.html == "<p>a &lt; b<br>next line</p><p>new paragraph</p>"
    entities = read_content("Tom &amp; Jerry\nline two", declared_html=True)
    assert entities.html == "<p>Tom &amp; Jerry<br>line two</p>"
    markdown = read_content("# T\n\n$$\nx^2\n$$\n\n```py\nx\n```", declared_html=False)
    assert markdown.html == render_markdown("# T\n\n$$\nx^2\n$$\n\n```py\nx\n```")
    assert '<div class="math display">\\[x^2\\]</div>' in markdown.html
    assert '<pre><code class="language-py">' in markdown.html
    html = read_content("<p>x</p>", declared_html=False)
    assert html.html == "<p>x</p>"


def test_the_override_wins() -> None:
    value = "# T\n\n[a](https://x.org)"
    assert read_content(value, declared_html=True, override=TEXT).html == (
        "<p># T</p><p>[a](https://x.org)</p>"
    )
    assert read_content(value, declared_html=True, override=HTML).html == value
    assert "<h1>T</h1>" in read_content("# T", declared_html=True, override=MARKDOWN).html


def test_format_names_are_checked() -> None:
    assert content_format(" Markdown ") is MARKDOWN
    for bad in ("md", "", None, 3):
        with pytest.raises(ValueError, match="format must be one of auto, html, markdown, text"):
            content_format(bad)


def test_pandoc_attribute_fences_keep_their_language() -> None:
    assert render_markdown("```{.python .input}\nx = 1\n```") == (
        '<pre><code class="language-python">x = 1\n</code></pre>\n'
    )
    assert '<code class="language-rust">' in render_markdown("```{#main .rust}\nfn\n```")
    assert render_markdown("```{}\nx\n```") == "<pre><code>x\n</code></pre>\n"


def test_hexo_atom_content_without_type_is_html(data: Path) -> None:
    body = (data / "formats" / "hexo_atom.xml").read_bytes()
    feed = parse_feed(body, url="https://xiaoming.example/atom.xml")
    hexo, generics = feed.entries
    assert hexo.content_format == "html"
    assert hexo.content_html.startswith('<h2 id="定义">')  # the content, not the short summary
    assert "&lt;" not in hexo.content_html
    assert generics.content_format == "text"
    assert generics.content_html == (
        "<p>When a &lt; b holds, List&lt;T&gt; sorts x&lt;y&gt; first.<br>"
        "Use &lt;b&gt;bold&lt;/b&gt; sparingly.</p><p>Second paragraph.</p>"
    )


def test_markdown_in_an_rss_description_is_rendered(data: Path) -> None:
    body = (data / "formats" / "cnblogs_markdown.xml").read_bytes()
    (entry,) = parse_feed(body, url="https://www.cnblogs.com/someone/rss").entries
    assert entry.content_format == "markdown", entry.format_reason
    assert "<h2>思路</h2>" in entry.content_html
    assert '<pre><code class="language-cpp">#include &lt;cstdio&gt;\n#include' in (
        entry.content_html
    )
    assert "\\(O(n)\\)" in entry.content_html
    assert "\\[T(n) = \\sum_{i=1}^{n} c_i\\]" in entry.content_html
    assert '<a href="https://en.cppreference.com/w/cpp/io/c/getchar">' in entry.content_html
    assert '<img src="https://img.example/1.png" alt="图">' in entry.content_html


def test_json_feed_content_text_as_text_or_markdown(data: Path) -> None:
    body = (data / "formats" / "text.json").read_bytes()
    text, markdown = parse_feed(body, url="https://weekly.example/feed.json").entries
    assert text.content_format == "text"
    assert text.content_html == (
        "<p>周一：读了两篇论文。<br>周二：复现 a &lt; b 的实验，Map&lt;K, V&gt; 换成了 dict。</p>"
        "<p>下周计划：<br>1. 写总结<br>2. 跑基线</p>"
    )
    assert markdown.content_format == "markdown"
    assert "<h1>第二周</h1>" in markdown.content_html
    assert '<pre><code class="language-python">' in markdown.content_html


def test_the_source_format_is_applied_to_every_entry(data: Path) -> None:
    body = (data / "formats" / "cnblogs_markdown.xml").read_bytes()
    (entry,) = parse_feed(body, url="https://x.example/rss", content_format=HTML).entries
    assert entry.content_format == "html"
    assert entry.content_html.lstrip().startswith("## 思路")
    body = (data / "formats" / "text.json").read_bytes()
    entries = parse_feed(body, url="https://x.example/f.json", content_format=TEXT).entries
    assert {entry.content_format for entry in entries} == {"text"}
    assert entries[1].content_html.startswith("<p># 第二周</p>")


@pytest.mark.corpus
def test_corpus_plain_text_summaries_keep_their_lines(corpus: Path) -> None:
    """mlog.club (a Go forum) sends plain text as `<summary type="html">`: its lines stay."""
    path = (
        corpus / "feeds/zh/rssant/feedlib/testdata/parser/warn/https-mlog-club-topic-atom-xml.xml"
    )
    feed = parse_feed(path.read_bytes(), url="https://mlog.club/topic/atom.xml")
    lines = [entry for entry in feed.entries if "<br>" in entry.content_html]
    assert len(lines) >= 70
    assert {entry.content_format for entry in lines} == {"text"}
    robots = next(entry for entry in feed.entries if "robots.txt" in entry.content_html)
    assert robots.content_html == (
        "<p>问下大神 robots.txt 是怎么搞的？<br>sitemap.xml<br>sitemap_archive.xml<br>"
        "是怎么生成的</p>"
    )


@pytest.mark.corpus
def test_corpus_html_feeds_stay_html(corpus: Path) -> None:
    """Every entry of the corpus's well-formed feeds that declares HTML with elements stays HTML."""
    for path in sorted((corpus / "feeds/zh/rssant/feedlib/testdata/parser/well").glob("*.xml")):
        for entry in parse_feed(path.read_bytes(), url="https://x.example/feed").entries:
            if "<p" in entry.content_html or "<div" in entry.content_html:
                assert entry.content_format == "html", (path.name, entry.format_reason)


def test_content_read_as_html_or_markdown_is_still_sanitized() -> None:
    hostile = (
        "# 标题\n\n[点我](javascript:alert(1)) and `x`\n\n<script>alert(2)</script>\n\n"
        '<img src=x onerror="alert(3)">\n\n```js\nalert(4)\n```'
    )
    for value in (hostile, '<p onclick="alert(1)">a</p><p><a href="javascript:x()">b</a></p>'):
        read = read_content(value, declared_html=False)
        assert read.decision.format in (HTML, MARKDOWN)
        assert active_content(clean_html(read.html, "https://x.example/")) == []
