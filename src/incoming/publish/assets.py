"""Static files, held in memory with content hashes, and the code colours made from Pygments.

Pages link every asset as `/static/NAME?v=HASH`: such a URL never changes content, so browsers
may keep it for a year; a new release changes the hash and so the URL. Stylesheets' own
`url("...")`s to other assets (the math font) get their `?v=HASH` the same way at start-up.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from pygments.formatters import HtmlFormatter
from pygments.styles import get_all_styles
from pygments.util import ClassNotFound

from incoming.errors import ConfigError

CODE_CSS = "code.css"
CODE_CLASS = ".highlight"
_TEXT_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
_RELATIVE_CSS_URL = re.compile(r'url\("([^"?#:]+)"\)')


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    digest: str  # hex, short: the version in URLs and the strong ETag

    @property
    def compressible(self) -> bool:
        """Text compresses; fonts (woff2 is brotli already) and raster images do not."""
        return self.media_type.startswith(("text/", "image/svg", "application/json"))

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        return cls(body, media_type, hashlib.blake2b(body, digest_size=8).hexdigest())


class Assets:
    """The site's static files by name ("site.css", "fonts/x.woff2"), plus generated code.css."""

    def __init__(self, light_code_style: str, dark_code_style: str) -> None:
        self.by_name: dict[str, Asset] = dict(_package_files(files("incoming.publish") / "static"))
        for name, asset in list(self.by_name.items()):
            if asset.media_type.startswith("text/css"):
                self.by_name[name] = _versioned_urls(name, asset, self.by_name)
        css = code_css(light=light_code_style, dark=dark_code_style)
        self.by_name[CODE_CSS] = Asset.of(css.encode(), "text/css; charset=utf-8")
        # Everything a page's look depends on: part of every page's ETag.
        self.version = hashlib.blake2b(
            "".join(sorted(asset.digest for asset in self.by_name.values())).encode(),
            digest_size=8,
        ).hexdigest()

    def get(self, name: str) -> Asset | None:
        return self.by_name.get(name)

    def url(self, name: str) -> str:
        return f"/static/{name}?v={self.by_name[name].digest}"


def _versioned_urls(name: str, css: Asset, by_name: dict[str, Asset]) -> Asset:
    """css with each relative `url("x")` to a known asset made `url("x?v=HASH")`."""
    folder = posixpath.dirname(name)

    def versioned(match: re.Match[str]) -> str:
        target = by_name.get(posixpath.normpath(posixpath.join(folder, match.group(1))))
        return match.group() if target is None else f'url("{match.group(1)}?v={target.digest}")'

    return Asset.of(_RELATIVE_CSS_URL.sub(versioned, css.body.decode()).encode(), css.media_type)


def _package_files(folder: Traversable, prefix: str = "") -> list[tuple[str, Asset]]:
    found: list[tuple[str, Asset]] = []
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_package_files(entry, f"{name}/"))
        elif not entry.name.startswith("."):
            found.append((name, Asset.of(entry.read_bytes(), _media_type(name))))
    return found


def _media_type(name: str) -> str:
    suffix = name[name.rfind(".") :]
    media_type = _TEXT_TYPES.get(suffix) or mimetypes.guess_type(name)[0]
    if media_type is None:
        return "application/octet-stream"
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _style_rules(style: str, scope: str) -> str:
    """Pygments' rules for one style, each under `scope` (only the token rules are kept)."""
    try:
        formatter = HtmlFormatter(style=style)
    except ClassNotFound as exc:
        styles = ", ".join(sorted(get_all_styles()))
        raise ConfigError(f"unknown code style {style!r}; choose one of {styles}") from exc
    selector = f"{scope} {CODE_CLASS}"
    return "\n".join(
        line
        for line in formatter.get_style_defs(selector).splitlines()
        if line.startswith(selector)
    )


def code_css(*, light: str, dark: str) -> str:
    """Highlighted code in the site's two themes, as exclusive rules so none leaks into the other.

    Dark is the default; light applies when chosen with the toggle (`data-theme` on the root)
    or when the reader's system prefers light and the toggle has not chosen dark.
    """
    return "\n".join(
        (
            "/* Generated from Pygments styles at start-up. */",
            "@media not (prefers-color-scheme: light) {",
            _style_rules(dark, ':root:not([data-theme="light"])'),
            "}",
            "@media (prefers-color-scheme: light) {",
            _style_rules(dark, ':root[data-theme="dark"]'),
            _style_rules(light, ':root:not([data-theme="dark"])'),
            "}",
            _style_rules(light, ':root[data-theme="light"]'),
            "",
        )
    )
