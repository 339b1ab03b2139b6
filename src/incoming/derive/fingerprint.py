"""What readers see of an article, as one digest: equal digests mean no real change.

The entry hash (sources/prepare.py) changes with anything the source says, including what
churns on every fetch: a new guid, a bumped `<updated>`, a cache-buster in an image URL, a
"generated at 12:03:45" line. The fingerprint covers only the title and the text (code blocks
included), whitespace collapsed and date-times, clock times and Unix timestamps masked, so that
such churn neither moves an article up the latest updates nor makes a re-issued entry new.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# ISO 8601 date-times, clock times with seconds, and Unix times (2001..2286, s or ms).
_VOLATILE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"
    r"|\b[1-9]\d{9}(?:\d{3})?\b"
)
# Query parameters that track the reader rather than name the page.
_TRACKING = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_hsenc|_hsmi|yclid")


def _steady(text: str) -> str:
    return " ".join(_VOLATILE.sub("#", text).split())


def fingerprint(title: str, text: str, html: str = "") -> str:
    """The digest of an article's title and text (and the code blocks of its clean `html`)."""
    from incoming.derive.segments import code_text  # lxml: only where articles are written

    digest = hashlib.sha256()
    for part in (title, text, code_text(html)):
        digest.update(_steady(part).encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


def steady_url(url: str | None) -> str | None:
    """A link without its fragment and tracking parameters: the page it names."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.fullmatch(k)
    ]
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), "")
    )
