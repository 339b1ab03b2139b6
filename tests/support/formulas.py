"""The formula coverage corpus: every formula the pipeline finds in the shared corpus and the demo.

Formulas are found by the project's own code (the Markdown renderer, the cleaner's TeX finders,
the feed parser), with the converter swapped for a recorder, so the corpus holds exactly what
ingest would ask the converter for. Plus our own list of ML constructs (tests/clean/data).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from unittest import mock

from incoming.clean import clean_html
from incoming.clean.mathml import tex_fallback
from incoming.parse import parse_feed
from incoming.parse.markdown import render_markdown

Formula = tuple[str, bool]  # (TeX, display)

DEMO_NOTES = Path(__file__).resolve().parents[2] / "src" / "incoming" / "demo" / "notes"
OWN_LIST = Path(__file__).resolve().parents[1] / "clean" / "data" / "ml_formulas.tex"
_FEED_SUFFIXES = (".xml", ".json", ".rss", ".atom")


@contextmanager
def recording(found: list[Formula]) -> Iterator[None]:
    def record(_scope: object, tex: str, *, display: bool) -> str:
        found.append((tex.strip(), display))
        return tex_fallback(tex)

    with (
        mock.patch("incoming.clean.mathml.MacroScope.convert", record),
        mock.patch("incoming.clean.formulas.MAX_TEX_PER_ENTRY", 10**9),
    ):
        yield


def _documents(corpus: Path) -> Iterator[str]:
    """Raw HTML of every note, page and feed entry, in a stable order."""
    notes = [*sorted((corpus / "markdown").rglob("*.md")), *sorted(DEMO_NOTES.glob("*.md"))]
    for path in notes:
        yield render_markdown(path.read_text(encoding="utf-8"))
    for path in sorted((corpus / "html").rglob("*.html")):
        yield path.read_text(encoding="utf-8", errors="replace")
    for path in sorted((corpus / "feeds").rglob("*")):
        if path.suffix in _FEED_SUFFIXES:
            try:
                feed = parse_feed(path.read_bytes(), url=f"https://feeds.example/{path.name}")
            except Exception:  # broken feeds are part of the corpus; they hold no formulas
                continue
            for entry in feed.entries:
                yield entry.content_html


def corpus_formulas(corpus: Path) -> list[Formula]:
    """Every formula occurrence, in document order (repeats kept, as ingest sees them)."""
    found: list[Formula] = []
    with recording(found):
        for html in _documents(corpus):
            clean_html(html)
    return [formula for formula in found if formula[0]]


def own_cases() -> dict[str, Formula]:
    """Our list of ML constructs by name: blocks after `%% name` lines, `(inline)` for inline."""
    cases: dict[str, Formula] = {}
    for block in OWN_LIST.read_text(encoding="utf-8").split("\n%% ")[1:]:
        name, _, tex = block.partition("\n")
        cases[name.removesuffix(" (inline)")] = (tex.strip(), not name.endswith("(inline)"))
    return cases


def own_formulas() -> list[Formula]:
    return list(own_cases().values())


_ANNOTATION = re.compile(r"<annotation\b.*?</annotation>", re.DOTALL)
_TEXT_NODE = re.compile(r">([^<]+)<")


def tex_leaks(tex: str, mathml: str) -> list[str]:
    """What of the TeX shows through as text in mathml: literal `&` cells, backslashes,
    `linebreak=` (latex2mathml's lost `\\\\`), error boxes. Escaped `\\&` and `\\backslash`
    are content, not leaks."""
    body = _ANNOTATION.sub("", mathml)
    texts = [unescape(text) for text in _TEXT_NODE.findall(body)]
    found = []
    if "&" in "".join(texts) and "\\&" not in tex:
        found.append("&")
    if "\\" in "".join(texts) and "\\backslash" not in tex and "\\textbackslash" not in tex:
        found.append("backslash")
    if "linebreak=" in body:
        found.append("linebreak=")
    if "<merror" in body:
        found.append("merror")
    return found
