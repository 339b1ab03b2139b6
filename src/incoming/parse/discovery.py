"""Feed autodiscovery: the `<link rel="alternate">` feeds an HTML page announces."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_MEDIA_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)


def discover_feed_links(html: str, base_url: str) -> list[str]:
    """Absolute http(s) feed URLs announced by the page, in document order, without repeats.

    Relative hrefs resolve against the page's first `<base href>`, itself against `base_url`.
    """
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    document_base = urljoin(base_url, collector.base_href) if collector.base_href else base_url
    links: list[str] = []
    for href in collector.feed_hrefs:
        url = urljoin(document_base, href.strip())
        if urlsplit(url).scheme in ("http", "https") and url not in links:
            links.append(url)
    return links


class _LinkCollector(HTMLParser):
    """Collects `<base href>` and feed `<link>` hrefs; forgiving of any broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base_href: str | None = None
        self.feed_hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "base" and self.base_href is None and values.get("href"):
            self.base_href = values["href"].strip()
        elif tag == "link" and _announces_feed(values):
            self.feed_hrefs.append(values["href"])

    handle_startendtag = handle_starttag


def _announces_feed(attrs: dict[str, str]) -> bool:
    rels = attrs.get("rel", "").lower().split()
    media_type = attrs.get("type", "").split(";")[0].strip().lower()
    return "alternate" in rels and media_type in FEED_MEDIA_TYPES and bool(attrs.get("href"))
