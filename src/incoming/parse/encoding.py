"""Bytes to text without mojibake: declared encodings are verified, liars are caught.

Chinese feeds often declare `gb2312` while using GBK characters, or are served as
`iso-8859-1` while the bytes are GBK or UTF-8; trusting the first declaration would turn
their titles into mojibake, so every declaration is checked against the bytes first.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

#: Declared names replaced by the superset browsers actually use for them.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: `<?xml` written in an encoding that is not ASCII-compatible (XML 1.0, appendix F).
_XML_START_MARKERS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)

_CJK_ENCODINGS = frozenset({"gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950", "hz"})
_SNIFF_BYTES = 4096
_CHARSET_PARAM = re.compile(rb"""charset\s*[=:]\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([\w.:-]+)""")
_HTML_START = re.compile(
    rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta)\b", re.IGNORECASE | re.DOTALL
)
_HTML_META = re.compile(rb"<meta\b[^>]*?>", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*?\?>")
#: C0 controls (and non-characters) that XML 1.0 forbids anywhere in a document.
_FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class DecodedDocument:
    """Text of a document, the codec that produced it, and what went wrong on the way."""

    text: str
    encoding: str
    warning: str | None = None


def decode_document(body: bytes, content_type: str | None) -> str:
    """Decode a fetched document to text, verifying every declared encoding."""
    return decode_with_report(body, content_type).text


def decode_with_report(body: bytes, content_type: str | None) -> DecodedDocument:
    """Decode like `decode_document`, telling which codec won and whether bytes were lost.

    Order of trust: byte-order mark, HTTP charset, then the document's own declaration;
    a declaration is used only when it decodes strictly and is not an obvious lie.
    """
    bom = _bom_encoding(body)
    if bom is not None:
        text = _strict_decode(body, bom)
        if text is not None:
            return _finish(text, bom)
        return _finish(
            body.decode(bom, "replace"),
            bom,
            f"invalid {bom} bytes after a byte-order mark were replaced with U+FFFD",
        )
    declared = _declared_encodings(body, content_type)
    for encoding in declared:
        text = _strict_decode(body, encoding)
        if text is not None and not _declaration_lies(encoding, body):
            return _finish(text, encoding)
    return _detect(body, declared)


def normalize_encoding(name: str) -> str | None:
    """The Python codec to use for a declared charset name, or None when unknown."""
    label = name.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def as_utf8_xml(text: str) -> bytes:
    """UTF-8 bytes of an XML text, its declaration rewritten so parsers do not re-decode it."""
    declaration = '<?xml version="1.0" encoding="utf-8"?>'
    rewritten, count = _XML_DECLARATION.subn(declaration, text, count=1)
    return (rewritten if count else text).encode("utf-8")


def _bom_encoding(body: bytes) -> str | None:
    for mark, encoding in _BOMS:
        if body.startswith(mark):
            return encoding
    for marker, encoding in _XML_START_MARKERS:
        if body.startswith(marker):
            return encoding
    return None


def _declared_encodings(body: bytes, content_type: str | None) -> list[str]:
    """Known codecs named by the HTTP header, then by the XML declaration or HTML meta."""
    names: list[bytes] = []
    if content_type:
        names += _CHARSET_PARAM.findall(content_type.encode("latin-1", "replace"))
    head = body[:_SNIFF_BYTES]
    names += _XML_DECLARED.findall(head)
    if _HTML_START.match(head):
        # Only a page's own <meta>: one quoted inside a feed's CDATA says nothing of the feed.
        for meta in _HTML_META.findall(head):
            names += _CHARSET_PARAM.findall(meta)
    encodings: list[str] = []
    for name in names:
        encoding = normalize_encoding(name.decode("ascii", "replace"))
        if encoding is not None and encoding not in encodings and _ascii_compatible(encoding):
            encodings.append(encoding)
    return encodings


def _ascii_compatible(encoding: str) -> bool:
    """Whether a declaration read from ASCII-looking bytes can be true (not UTF-16/32)."""
    return codecs.encode("<?xml", encoding, "replace") == b"<?xml"


def _strict_decode(body: bytes, encoding: str) -> str | None:
    try:
        return codecs.decode(body, encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _declaration_lies(encoding: str, body: bytes) -> bool:
    """A single-byte label on UTF-8 or Chinese bytes (servers' favourite default)."""
    if not _is_single_byte(encoding) or body.isascii():
        return False
    if _strict_decode(body, "utf-8") is not None:
        return True
    guess = charset_normalizer.from_bytes(body).best()
    return guess is not None and guess.encoding in _CJK_ENCODINGS


def _is_single_byte(encoding: str) -> bool:
    return encoding in ("ascii", "latin-1", "mac-roman") or encoding.startswith(
        ("cp125", "iso8859-")
    )


def _nearly_decode(body: bytes, encoding: str) -> str | None:
    """The text when only a few bytes (a truncated character, a stray byte) do not decode."""
    text = body.decode(encoding, "replace")
    return text if text.count("\ufffd") <= max(8, len(body) // 1000) else None


def _detect(body: bytes, declared: list[str]) -> DecodedDocument:
    """No declaration fits strictly: UTF-8 if valid; else a declared Chinese encoding that
    fails on a few bytes only (guessing would turn all the rest into mojibake); else
    charset-normalizer's best guess."""
    text = _strict_decode(body, "utf-8")
    if text is not None:
        return _finish(text, "utf-8")
    for encoding in declared:
        if encoding in _CJK_ENCODINGS and (text := _nearly_decode(body, encoding)):
            return _finish(text, encoding, f"invalid {encoding} bytes were replaced with U+FFFD")
    guess = charset_normalizer.from_bytes(body).best()
    if guess is not None:
        encoding = normalize_encoding(guess.encoding) or "utf-8"
        text = _strict_decode(body, encoding)
        if text is not None:
            return _finish(text, encoding)
    return _finish(
        body.decode("utf-8", "replace"),
        "utf-8",
        "encoding could not be determined: undecodable bytes were replaced with U+FFFD",
    )


def _finish(text: str, encoding: str, warning: str | None = None) -> DecodedDocument:
    text = text.removeprefix("\ufeff")
    return DecodedDocument(_FORBIDDEN_CONTROLS.sub("", text), encoding, warning)
