"""decode_document: declarations are verified, liars are caught, nothing turns to mojibake."""

from __future__ import annotations

import codecs

import pytest

from incoming.parse import decode_document
from incoming.parse.encoding import as_utf8_xml, decode_with_report, normalize_encoding

CHINESE = "机器学习与深度学习：注意力机制、朱镕基"


def xml(text: str, declared: str | None = None) -> str:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return f"{declaration}<rss><channel><title>{text}</title></channel></rss>"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("x-gbk", "gb18030"),
        ("big5", "big5hkscs"),
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("UTF-8", "utf-8"),
        ("no-such-charset", None),
    ],
)
def test_declared_names_map_to_the_superset_browsers_use(declared, expected):
    assert normalize_encoding(declared) == expected


def test_gb2312_declaration_decodes_gbk_and_gb18030_only_characters():
    text = CHINESE + " 𠀀 €"
    body = xml(text, "gb2312").encode("gb18030")
    assert text in decode_document(body, None)


def test_big5_declaration_decodes_hkscs_characters():
    text = "香港字㗎與繁體中文"
    assert text in decode_document(xml(text, "big5").encode("big5hkscs"), None)


@pytest.mark.parametrize("header", ["text/xml; charset=iso-8859-1", "text/html; charset=latin1"])
def test_latin1_header_on_gbk_bytes_is_a_lie(header):
    body = xml(CHINESE).encode("gb18030")
    decoded = decode_with_report(body, header)
    assert decoded.encoding == "gb18030"
    assert CHINESE in decoded.text


def test_latin1_declaration_on_utf8_bytes_is_a_lie():
    body = xml("Café 数学", "iso-8859-1").encode("utf-8")
    assert "Café 数学" in decode_document(body, "application/xml")


def test_http_charset_wins_over_the_xml_declaration_when_both_decode():
    body = xml("Привет", "windows-1251").encode("koi8-r")
    assert "Привет" in decode_document(body, "application/xml; charset=koi8-r")


def test_declaration_that_fails_to_decode_falls_back_to_the_next_one():
    body = xml(CHINESE, "gbk").encode("gb18030")
    assert CHINESE in decode_document(body, "text/xml; charset=utf-8")


def test_real_latin1_stays_latin1_with_windows_1252_punctuation():
    text = "Caf\u00e9 \u201cquoted\u201d \u20ac5"
    body = xml(text, "iso-8859-1").encode("cp1252")
    assert text in decode_document(body, None)


def test_html_meta_charset_is_read():
    body = f'<html><head><meta charset="gbk"><title>{CHINESE}</title>'.encode("gb18030")
    assert CHINESE in decode_document(body, "text/html")


def test_http_equiv_meta_charset_is_read():
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
        "<title>繁體中文</title>"
    ).encode("big5")
    assert "繁體中文" in decode_document(body, None)


def test_undeclared_chinese_is_detected():
    body = ("<p>" + CHINESE * 3 + "</p>").encode("gb18030")
    assert CHINESE in decode_document(body, None)


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_mark_wins_over_lying_declarations(bom, codec):
    body = bom + xml(CHINESE, "gb2312").encode(codec)
    text = decode_document(body, "text/xml; charset=iso-8859-1")
    assert text.startswith("<?xml")
    assert CHINESE in text


def test_utf16_without_bom_is_recognised_from_the_xml_declaration():
    body = xml(CHINESE, "utf-16").encode("utf-16-le")
    assert CHINESE in decode_document(body, None)


def test_invalid_bytes_after_a_bom_are_replaced_and_reported():
    body = codecs.BOM_UTF8 + b"<rss><title>Espa\xf1a</title></rss>"
    decoded = decode_with_report(body, None)
    assert "\ufffd" in decoded.text
    assert decoded.warning is not None


def test_valid_documents_report_no_warning():
    assert decode_with_report(xml(CHINESE).encode(), None).warning is None


def test_xml_forbidden_controls_are_stripped_but_whitespace_kept():
    body = b"a\x00b\x08c\x0bd\x1fe\tf\ng\rh"
    assert decode_document(body, None) == "abcde\tf\ng\rh"


def test_as_utf8_xml_rewrites_the_declaration():
    assert as_utf8_xml(xml("中", "gb2312")).startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert as_utf8_xml("<rss/>") == b"<rss/>"


def test_meta_charset_quoted_inside_a_feed_is_ignored():
    body = (
        "<rss><channel><item><description><![CDATA[<meta charset=gbk>]]></description>"
        f"<title>{CHINESE}</title></item></channel></rss>"
    ).encode()
    assert CHINESE in decode_document(body, None)


@pytest.mark.parametrize(
    ("declared", "text"),
    [("gb2312", "机器学习的注意力机制"), ("gbk", "注意力機制"), ("big5", "機器學習")],
)
def test_a_few_bad_bytes_do_not_turn_a_declared_chinese_encoding_into_mojibake(declared, text):
    """One broken character used to send the whole feed to detection, which guessed wrong."""
    body = (f"<?xml version='1.0' encoding='{declared}'?><rss><title>{text}</title>").encode(
        declared
    )
    decoded = decode_with_report(body.replace(b"</title>", b"\xff\x81</title>"), None)
    assert text in decoded.text
    assert decoded.warning is not None
