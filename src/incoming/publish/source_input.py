"""What the admin form and the API accept as a new source: an http(s) URL and a topic name.

Only web feeds can be added over HTTP: a notes folder is a path on the server, added there
with `incoming add`. Control characters are refused here, before they reach a database that
cannot store them (PostgreSQL text cannot hold NUL).
"""

from __future__ import annotations


def web_url(text: str) -> str | None:
    """The http(s) URL given, trimmed; None when it is not one."""
    from incoming.sources import service  # the fetcher and parsers: on a first add, not at start

    candidate = text.strip()
    try:
        return candidate if candidate.isprintable() and service.is_web_url(candidate) else None
    except ValueError:  # BadURLError: no host, an unclosed IPv6 bracket, a bad port
        return None


def topic_name(text: str) -> str | None:
    """The topic given, trimmed; None when it is empty or holds control characters."""
    candidate = text.strip()
    return candidate if candidate and candidate.isprintable() else None
