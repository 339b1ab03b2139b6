"""Real-world material: XSS payload lists, pages full of math and code, notes with LaTeX."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from incoming.clean import clean_html, latex_to_mathml
from tests.clean.inert import active_content

pytestmark = pytest.mark.corpus

BASE = "https://blog.example/posts/1.html"


def payloads(corpus: Path) -> list[tuple[str, str]]:
    """(file name, payload) for every sanitizer test string, whatever its file's layout."""
    found: list[tuple[str, str]] = []
    for path in sorted((corpus / "sanitizer").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            found.append((path.name, item["input"] if isinstance(item, dict) else item))
    return found


def test_no_sanitizer_payload_leaves_active_content(corpus):
    cases = payloads(corpus)
    assert len(cases) > 400
    failures = {}
    for name, payload in cases:
        for base in (None, BASE):
            problems = active_content(clean_html(payload, base))
            if problems:
                failures[f"{name}: {payload[:80]!r}"] = problems
    assert failures == {}


def test_payloads_as_text_stay_text(corpus):
    """Escaped payloads are article text (a post about XSS): they survive, still inert."""
    for _name, payload in payloads(corpus)[:100]:
        escaped = payload.replace("&", "&amp;").replace("<", "&lt;")
        cleaned = clean_html(f"<p>{escaped}</p>")
        assert active_content(cleaned) == []


PAGES = {
    "math_csdn_none_formula.html": 120,  # KaTeX with its MathML flattened to text
    "bench_origin_math_mathjax_mathml_1.html": 3,  # raw MathML, kept
    "bench_origin_math_mathjax_latex_3.html": 5,  # StackExchange math-container
}


@pytest.mark.parametrize(("page", "at_least"), PAGES.items())
def test_math_pages_keep_their_formulas(corpus, page, at_least):
    raw = (corpus / "html" / "llm-webkit-mirror" / page).read_text(
        encoding="utf-8", errors="replace"
    )
    cleaned = clean_html(raw, "https://example.org/page.html")
    assert active_content(cleaned) == []
    assert cleaned.count("<math") >= at_least
    assert "katex-html" not in cleaned


def test_csdn_code_with_line_numbers(corpus):
    raw = (corpus / "html" / "llm-webkit-mirror" / "csdn_lineno.html").read_text(encoding="utf-8")
    cleaned = clean_html(raw)
    assert '<pre><code class="language-java">' in cleaned
    assert "String path = request.getContextPath();" in cleaned


INLINE_DOLLARS = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")
DISPLAY_DOLLARS = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)


def test_formulas_from_markdown_notes_convert(corpus):
    """Most formulas our users write convert; the rate is printed (`pytest -s`)."""
    converted = total = 0
    for path in sorted((corpus / "markdown").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        display = DISPLAY_DOLLARS.findall(text)
        inline = INLINE_DOLLARS.findall(DISPLAY_DOLLARS.sub(" ", text))
        for tex, is_display in [(tex, True) for tex in display] + [(tex, False) for tex in inline]:
            total += 1
            mathml = latex_to_mathml(tex, display=is_display)
            converted += mathml.startswith("<math")
            assert active_content(mathml) == []
    print(f"markdown formulas converted: {converted}/{total} ({converted / total:.1%})")
    assert total > 500
    assert converted / total > 0.95
