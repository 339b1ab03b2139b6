"""What an entry's content really is (HTML, Markdown or plain text), and that content as HTML.

Feeds often say one thing and send another: Hexo writes HTML into an Atom `<content>` with no
`type` (which the Atom spec makes plain text), cnblogs backups and some JSON Feed `content_text`
carry Markdown, and RSS descriptions are plain text with line breaks. Each is recognised by
parsing it, not by a pattern on `<` or `#`: HTML by an HTML tokenizer that finds well-formed
known elements making up most of the text, Markdown by markdown-it's own tokens scored over
several kinds of syntax. A source may override the guess (`--format`).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it.token import Token

# The formats and the check of a user's choice live in models.py (the command line and the
# web validate --format without importing the parsers); also offered here, beside the parsing.
from incoming.models import CONTENT_FORMATS as CONTENT_FORMATS
from incoming.models import ContentFormat
from incoming.models import content_format as content_format
from incoming.parse.markdown import markdown_parser, render_markdown
from incoming.parse.text import text_to_html


@dataclass(frozen=True, slots=True)
class FormatDecision:
    """The format an entry's content was read as, and why (what `incoming inspect` shows)."""

    format: ContentFormat
    reason: str


# Every element of the HTML living standard that feed content uses, plus the MathML and SVG
# roots: a tag outside this set (`<T>`, `<y>`, `<stdio.h>`) is text that looks like a tag.
KNOWN_ELEMENTS = frozenset(
    {
        *("a", "abbr", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo"),
        *("big", "blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup"),
        *("data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "embed"),
        *("figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hgroup", "hr", "i", "iframe", "img", "ins", "kbd", "li", "main", "map"),
        *("mark", "math", "nav", "noscript", "object", "ol", "p", "picture", "pre", "q"),
        *("rp", "rt", "ruby", "s", "samp", "script", "section", "small", "source", "span"),
        *("strike", "strong", "style", "sub", "summary", "sup", "svg", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "time", "tr", "track", "tt", "u", "ul", "var"),
        *("video", "wbr"),
    }
)
VOID_ELEMENTS = frozenset({"area", "br", "col", "embed", "hr", "img", "source", "track", "wbr"})
# Share of the non-blank characters that well-formed known elements must cover: a post that
# mentions `<b>bold</b>` once stays text, a post wrapped in `<p>`s is HTML.
HTML_SHARE = 0.5
# Markdown needs this score from at least two different kinds of syntax: one list or one
# `**word**` alone is how people write plain text too.
MARKDOWN_SCORE = 3
MARKDOWN_KINDS = 2
_MARKDOWN_WEIGHTS = {
    "fence": ("fenced code", 3),
    "math_block": ("$$ math", 2),
    "math_block_label": ("$$ math", 2),
    "math_inline_double": ("$$ math", 2),
    "amsmath": ("$$ math", 2),
    "table_open": ("tables", 2),
    "image": ("images", 2),
    "bullet_list_open": ("lists", 1),
    "ordered_list_open": ("lists", 1),
    "strong_open": ("emphasis", 1),
    "em_open": ("emphasis", 1),
    "code_inline": ("inline code", 1),
    "math_inline": ("inline math", 1),
    "blockquote_open": ("quotes", 1),
}
_HEADING = ("headings", 2)
_LINK = ("links", 2)


def decide_format(
    value: str, *, declared_html: bool, override: ContentFormat = ContentFormat.AUTO
) -> FormatDecision:
    """What `value` is: the source's override, else what parsing it shows.

    Content declared as text that is clearly HTML is read as HTML. This follows what
    browsers, Miniflux and NetNewsWire do, not the Atom spec (whose default type is text).
    """
    if override is not ContentFormat.AUTO:
        return FormatDecision(override, f"the source's format is set to {override.value}")
    declared = "declared HTML" if declared_html else "declared text"
    survey = survey_html(value)
    if survey.share >= HTML_SHARE:
        return FormatDecision(
            ContentFormat.HTML,
            f"{declared}; {survey.elements} well-formed HTML elements make up "
            f"{survey.share:.0%} of it",
        )
    markdown = score_markdown(value)
    if markdown.score >= MARKDOWN_SCORE and len(markdown.kinds) >= MARKDOWN_KINDS:
        return FormatDecision(
            ContentFormat.MARKDOWN,
            f"{declared}; reads as Markdown (score {markdown.score}: "
            f"{', '.join(sorted(markdown.kinds))})",
        )
    if declared_html and (survey.elements or "\n" not in value.strip()):
        return FormatDecision(ContentFormat.HTML, f"{declared}; not Markdown")
    if declared_html:
        return FormatDecision(ContentFormat.TEXT, f"{declared}, but no element in its lines")
    return FormatDecision(ContentFormat.TEXT, f"{declared}; neither HTML nor Markdown")


@dataclass(frozen=True, slots=True)
class ReadContent:
    """An entry's content as HTML (not yet sanitized), with the decision that made it."""

    html: str
    decision: FormatDecision


def read_content(
    value: str, *, declared_html: bool, override: ContentFormat = ContentFormat.AUTO
) -> ReadContent:
    """`value` decided (`decide_format`) and written as HTML accordingly."""
    decision = decide_format(value, declared_html=declared_html, override=override)
    if decision.format is ContentFormat.HTML:
        return ReadContent(value, decision)
    # Text that came as HTML has its entities (`&amp;`) decoded before it is escaped again.
    text = html.unescape(value) if declared_html else value
    if decision.format is ContentFormat.MARKDOWN:
        return ReadContent(render_markdown(text), decision)
    return ReadContent(text_to_html(text), decision)


@dataclass(frozen=True, slots=True)
class HtmlSurvey:
    """Well-formed known elements found at the top level, and the share of the text they span."""

    elements: int
    share: float


def survey_html(value: str) -> HtmlSurvey:
    """Tokenize `value` as HTML and measure how much of it is well-formed known markup."""
    if "<" not in value:
        return HtmlSurvey(0, 0.0)
    reader = _ElementReader(value)
    try:
        reader.feed(value)
        reader.close()
    except AssertionError:  # HTMLParser before Python 3.13 asserts on a bad `<![` section
        pass  # what was read up to there is the survey
    non_blank = len(value) - sum(char.isspace() for char in value)
    covered = sum(
        len(value[start:end]) - sum(char.isspace() for char in value[start:end])
        for start, end in _merged(reader.spans)
    )
    return HtmlSurvey(reader.elements, covered / non_blank if non_blank else 0.0)


class _ElementReader(HTMLParser):
    """Records the character spans of known elements that are closed (or void)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self._line_starts = [0]
        for position, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(position + 1)
        self._open: list[tuple[str, int]] = []
        self.spans: list[tuple[int, int]] = []
        self.elements = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: Sequence[tuple[str, str | None]]) -> None:
        if tag not in KNOWN_ELEMENTS:
            return
        start = self._offset()
        if tag in VOID_ELEMENTS:
            self._void(start, tag)
        else:
            self._open.append((tag, start))

    def handle_startendtag(self, tag: str, attrs: Sequence[tuple[str, str | None]]) -> None:
        if tag in KNOWN_ELEMENTS:
            self._void(self._offset(), tag)

    def _void(self, start: int, tag: str) -> None:
        text = self.get_starttag_text() or f"<{tag}>"
        self.spans.append((start, start + len(text)))
        self.elements += 1

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                start = self._open[depth][1]
                del self._open[depth:]  # elements left open inside are not counted
                end = self._line_starts[self.getpos()[0] - 1] + self.getpos()[1]
                self.spans.append((start, end + len(tag) + 3))
                self.elements += 1
                return


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans (nested elements) as disjoint ones."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True, slots=True)
class MarkdownScore:
    score: int
    kinds: frozenset[str]


def score_markdown(value: str) -> MarkdownScore:
    """Markdown syntax that markdown-it finds in `value`, weighted by how rarely plain text
    produces it by accident (each kind counted at most three times)."""
    counts: dict[tuple[str, int], int] = {}
    for token in _walk(markdown_parser().parse(value)):
        signal = _signal(token)
        if signal is not None:
            counts[signal] = counts.get(signal, 0) + 1
    totals: dict[str, int] = {}
    for (kind, weight), count in counts.items():
        totals[kind] = totals.get(kind, 0) + weight * min(count, 3)
    return MarkdownScore(sum(totals.values()), frozenset(totals))


def _walk(tokens: Sequence[Token]) -> list[Token]:
    found: list[Token] = []
    for token in tokens:
        found.append(token)
        if token.children:
            found.extend(_walk(token.children))
    return found


def _signal(token: Token) -> tuple[str, int] | None:
    if token.type == "heading_open":
        return _HEADING if token.markup.startswith("#") else None
    if token.type == "link_open":
        return None if token.markup == "autolink" else _LINK
    return _MARKDOWN_WEIGHTS.get(token.type)
