"""Real-world material from ../shared/corpus: feeds nobody here wrote, feedparser's torture
tests, and Markdown notes full of LaTeX. Each document must parse or raise our ParseError."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from incoming.errors import NotAFeedError, ParseError
from incoming.models import ParsedFeed
from incoming.parse import parse_feed, render_markdown

pytestmark = pytest.mark.corpus

# feedparser's test files carry the HTTP headers they were served with in a comment.
HEADER_CONTENT_TYPE = re.compile(rb"Header:\s*Content-type:\s*([^\r\n]*)", re.IGNORECASE)
HAN = re.compile(r"[\u3400-\u9fff]")
# Files under feeds/zh/ that are not Chinese: the script each must show instead of Han.
NOT_CHINESE = {
    "euc-kr__cp949.xml": re.compile(r"[\uac00-\ud7a3]"),  # Hangul
    "koi8-r.xml": re.compile(r"[\u0400-\u04ff]"),  # Cyrillic
    "tis-620.xml": re.compile(r"[\u0e00-\u0e7f]"),  # Thai
    "windows-1255.xml": re.compile(r"[\u0590-\u05ff]"),  # Hebrew
    # English feeds kept among the Chinese test data: typographic punctuation only.
    "http_text_xml_charset_overrides_encoding_2.xml": re.compile("[£“”]"),
    "https-blogs-vmware-com-wprss.xml": re.compile("[–…]"),
    "https-www-doyler-net-feed.xml": re.compile("[’–]"),
    "http-www-manrepeller-com-feed.xml": re.compile("[’—]"),
    "jsonfeed_audio.json": re.compile("[’—]"),
}
# UTF-8 read as Latin-1/cp1252, the usual mojibake.
MOJIBAKE = re.compile("[ÃÂâäåæçèé][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]")


@cache
def parsed_under(folder: Path) -> dict[Path, ParsedFeed | ParseError]:
    """Every file below `folder`, parsed once per test session."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {path: parse_or_parse_error(path) for path in files}


def parse_or_parse_error(path: Path) -> ParsedFeed | ParseError:
    body = path.read_bytes()
    header = HEADER_CONTENT_TYPE.search(body)
    content_type = header.group(1).decode().strip() if header else None
    try:
        return parse_feed(
            body, url=f"https://corpus.example/{path.name}", content_type=content_type
        )
    except ParseError as error:
        return error


def feed_text(feed: ParsedFeed) -> str:
    return feed.title + "".join(entry.title + entry.content_html for entry in feed.entries)


def outcome_counts(results: dict[Path, ParsedFeed | ParseError]) -> Counter[str]:
    return Counter(
        "html page"
        if isinstance(result, NotAFeedError)
        else "parse error"
        if isinstance(result, ParseError)
        else "parsed"
        for result in results.values()
    )


@pytest.mark.parametrize("folder", ["feeds", "torture/feedparser/tests"])
def test_every_corpus_document_parses_or_raises_parse_error(corpus, folder):
    # Anything but ParseError escapes parse_or_parse_error and fails the test.
    results = parsed_under(corpus / folder)
    counts = outcome_counts(results)
    print(folder, dict(counts))
    assert counts["parsed"] > len(results) // 2
    for path, result in results.items():
        if isinstance(result, ParsedFeed):
            titles = result.title + "".join(entry.title for entry in result.entries)
            assert "\ufffd" not in titles, path
            assert not MOJIBAKE.search(titles), path


def test_chinese_feeds_decode_to_han_without_mojibake(corpus):
    checked = 0
    chinese = corpus / "feeds" / "zh"
    for path, result in parsed_under(corpus / "feeds").items():
        if not path.is_relative_to(chinese) or isinstance(result, ParseError):
            continue
        text = feed_text(result)
        if text.isascii():  # empty test feeds, ASCII-only ones
            continue
        expected = NOT_CHINESE.get(path.name, HAN)
        assert expected.search(text), f"{path}: {text[:80]!r}"
        assert not MOJIBAKE.search(text), path
        checked += 1
    print("non-ASCII zh feeds checked:", checked)
    assert checked >= 40


def test_known_chinese_titles(corpus):
    zh = corpus / "feeds" / "zh" / "rssant" / "feedlib" / "testdata" / "encoding" / "chardet"
    big5 = parse_or_parse_error(zh / "big5.xml")
    gb = parse_or_parse_error(zh / "gb2312__gb18030.xml")
    gbk_json = parse_or_parse_error(zh / "gbk__gb18030.json")
    assert isinstance(big5, ParsedFeed)
    assert big5.title.startswith("《11月的蕭邦》是台灣歌手周杰倫")
    assert isinstance(gb, ParsedFeed)
    assert gb.entries[0].title.startswith("信息交换用汉字编码字符集")
    assert isinstance(gbk_json, ParsedFeed)
    assert gbk_json.title.startswith("中国国家标准简体中文字符集")


def test_markdown_notes_have_all_dollar_math_converted(corpus):
    notes = sorted((corpus / "markdown").rglob("*.md"))
    assert notes
    for path in notes:
        html = render_markdown(path.read_text(encoding="utf-8"))
        outside_code = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", html, flags=re.DOTALL)
        assert "$" not in outside_code, path
        assert "\\(" in html, path
    print("markdown notes rendered:", len(notes))
