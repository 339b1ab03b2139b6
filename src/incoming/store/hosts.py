"""The host a source's URL names: the unit that per-host limits count across workers."""

from __future__ import annotations

from urllib.parse import urlsplit


def url_host(url: str) -> str | None:
    """The lower-cased host name of an http(s) URL; None for anything else (a notes folder)."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    try:
        return urlsplit(url).hostname or None
    except ValueError:
        return None
