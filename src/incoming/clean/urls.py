"""URL policy for stored HTML: resolve relative URLs against the entry's base, keep safe schemes.

Fragment links are pointed at the prefixed ids the sanitizer writes, so in-page footnotes work.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

ID_PREFIX = "user-content-"
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
WEB_SCHEMES = frozenset({"http", "https"})  # for images and for base URLs

_SRCSET_URL = re.compile(r"[\s,]*([^\s,]\S*)")
# A relative URL that, percent-decoded and stripped of invisible characters, spells a script
# scheme anywhere or any scheme at its start is inert in browsers, and no real link: refused.
_HIDDEN_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):|(?:java|vb)script:")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u180e\u200b-\u200f\u2060-\u2064\ufeff]+")
_VALID_DESCRIPTOR = re.compile(r"(?:\d{1,5}w|\d{1,5}h|\d{1,3}(?:\.\d+)?x)?")


def usable_base(base_url: str | None) -> str | None:
    """The base URL if relative URLs may be resolved against it (http or https only)."""
    if not base_url:
        return None
    try:
        parts = urlsplit(base_url.strip())
    except ValueError:
        return None
    return base_url.strip() if parts.scheme in WEB_SCHEMES and parts.netloc else None


def resolve_url(
    url: str, base_url: str | None, schemes: frozenset[str] = LINK_SCHEMES
) -> str | None:
    """The absolute URL to store, or None when the URL is unusable or of a refused scheme."""
    url = url.strip()
    if url.startswith("#"):
        fragment = url[1:]
        return url if not fragment or fragment.startswith(ID_PREFIX) else f"#{ID_PREFIX}{fragment}"
    try:
        scheme = urlsplit(url).scheme.lower()
        if not scheme and _hides_scheme(url, schemes):
            return None
        resolved = urljoin(base_url, url) if base_url else url
        scheme = urlsplit(resolved).scheme.lower()
    except ValueError:  # e.g. a broken IPv6 host
        return None
    if scheme and scheme not in schemes:
        return None
    return resolved


def disguises_scheme(url: str) -> bool:
    """Whether url looks relative but spells a scheme once invisible characters are gone."""
    return not urlsplit(url).scheme and _hides_scheme(url, WEB_SCHEMES)


def _hides_scheme(url: str, schemes: frozenset[str]) -> bool:
    match = _HIDDEN_SCHEME.search(_INVISIBLE.sub("", unquote(url)).lower())
    return match is not None and match.group(1) not in schemes


def resolve_image_url(url: str, base_url: str | None) -> str | None:
    """An image URL to store: absolute http(s), upgraded to https.

    The site's Content-Security-Policy loads images over https only (a page served over https
    could not show an http one anyway), so an http image is asked for over https, as browsers
    upgrade mixed content, instead of being blocked.
    """
    resolved = resolve_url(url, base_url, WEB_SCHEMES)
    if resolved is None or resolved.startswith("#"):
        return None
    if resolved[:7].lower() == "http://":
        return "https://" + resolved[7:]
    return resolved


def resolve_srcset(value: str, base_url: str | None) -> str | None:
    """A srcset with every candidate resolved; candidates with refused URLs are left out."""
    candidates: list[str] = []
    position = 0
    while match := _SRCSET_URL.match(value, position):
        url, position = match.group(1), match.end()
        if url.endswith(","):
            url, descriptor = url.rstrip(","), ""
        else:
            end = value.find(",", position)
            end = len(value) if end < 0 else end
            descriptor, position = value[position:end].strip(), end + 1
        resolved = resolve_image_url(url, base_url)
        if resolved and _VALID_DESCRIPTOR.fullmatch(descriptor):
            candidates.append(f"{resolved} {descriptor}".rstrip())
    return ", ".join(candidates) or None
