"""Feeds out: Atom 1.0 (RFC 4287) and JSON Feed 1.1 of the latest updates, with full content.

A feed is written once per store state with a placeholder origin (ORIGIN), which `place_origin`
replaces by the site's real one: however many host names a site answers for, the costly part
is done once. An article whose content exceeds FeedInfo.content_bytes is carried as its
excerpt and a link to the full text, never as cut (broken) HTML.
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import regex
from lxml import etree

from incoming import __version__
from incoming.publish.dates import machine_time
from incoming.publish.http import Rendered
from incoming.publish.urls import article_path, href
from incoming.store.articles import Article

ATOM = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"
JSON_FEED_MEDIA_TYPE = "application/feed+json; charset=utf-8"
# Characters XML 1.0 cannot carry at all; stored text should not hold them, but one must not
# make a feed unreadable.
_NOT_XML = regex.compile(r"[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
# Unguessable, so that no article's text can contain it and have a host put into it.
ORIGIN = f"https://{secrets.token_hex(12)}.origin.invalid"
FULL_TEXT_LINK = '<p><a href="{url}">Read the full article</a></p>'


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What describes one feed: its title, and absolute URLs of itself and its HTML page."""

    title: str
    base_url: str  # scheme and host, no trailing slash (ORIGIN until placed)
    feed_path: str
    page_path: str
    updated: datetime
    content_bytes: int  # most content (UTF-8) an entry carries in full


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _url(info: FeedInfo, path: str) -> str:
    return f"{info.base_url}{href(path)}"


def _content(info: FeedInfo, article: Article) -> str:
    """The article's content, or its excerpt and a link when the content is too large."""
    if len(article.content_html.encode()) <= info.content_bytes:
        return article.content_html
    link = html.escape(_url(info, article_path(article.id, article.title)))
    return f"{article.excerpt_html}{FULL_TEXT_LINK.format(url=link)}"


def _element(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> None:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = _xml_text(text)


def atom_feed(info: FeedInfo, articles: Sequence[Article]) -> bytes:
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _element(feed, "id", _url(info, info.feed_path))
    _element(feed, "title", info.title)
    _element(feed, "updated", machine_time(info.updated))
    _element(feed, "link", rel="self", type="application/atom+xml", href=_url(info, info.feed_path))
    _element(feed, "link", rel="alternate", type="text/html", href=_url(info, info.page_path))
    _element(feed, "generator", "Incoming", version=__version__)
    for article in articles:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _element(entry, "id", _url(info, f"/a/{article.id}"))
        _element(entry, "title", article.title)
        _element(entry, "updated", machine_time(article.updated))
        if article.published is not None:
            _element(entry, "published", machine_time(article.published))
        author = etree.SubElement(entry, f"{{{ATOM}}}author")
        _element(author, "name", article.author or article.source_title)
        link = _url(info, article_path(article.id, article.title))
        _element(entry, "link", rel="alternate", type="text/html", href=link)
        if article.url:
            _element(entry, "link", rel="via", type="text/html", href=article.url)
        for slug, name in article.topics:
            _element(entry, "category", term=slug, label=name)
        _element(entry, "summary", article.excerpt_html, type="html")
        _element(entry, "content", _content(info, article), type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8")


def _json_item(info: FeedInfo, article: Article) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": _url(info, f"/a/{article.id}"),
        "url": _url(info, article_path(article.id, article.title)),
        "title": article.title,
        "content_html": _content(info, article),
        "summary": article.content_text[:280],
        "date_modified": machine_time(article.updated),
        "authors": [{"name": article.author or article.source_title}],
    }
    if article.url:
        item["external_url"] = article.url
    if article.published is not None:
        item["date_published"] = machine_time(article.published)
    if article.topics:
        item["tags"] = [name for _, name in article.topics]
    if article.language:
        item["language"] = article.language
    return item


def json_feed(info: FeedInfo, articles: Sequence[Article]) -> bytes:
    document = {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "home_page_url": _url(info, info.page_path),
        "feed_url": _url(info, info.feed_path),
        "items": [_json_item(info, article) for article in articles],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def place_origin(written: Rendered, origin: str) -> Rendered:
    """The feed written with ORIGIN, with `origin` in its place and an ETag of its own.

    `origin` needs no escaping in XML or JSON: a checked Host, or base_url, whose characters
    SiteSettings limits to those of a plain URL.
    """
    body = written.body.replace(ORIGIN.encode(), origin.encode())
    digest = hashlib.blake2b(f"{written.etag}|{origin}".encode(), digest_size=10).hexdigest()
    return Rendered(
        body, written.media_type, f'W/"{digest}"', written.last_modified, written.cache_control
    )
