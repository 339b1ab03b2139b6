"""Feeds and OPML lists that carry attack vectors in every field a reader shows or follows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path

from tests.hostile.vectors import URL_VECTORS


def _attribute(value: str) -> str:
    return escape(value, quote=True)


def hostile_rss(items: Sequence[tuple[str, str, str]], *, title: str) -> bytes:
    """RSS 2.0 of (guid, title, html) items; author, category, link and enclosure carry a
    vector of their own (the title again, or a script URL)."""
    parts = []
    for n, (guid, name, html) in enumerate(items):
        url = URL_VECTORS[n % len(URL_VECTORS)]
        parts.append(
            f"<item><guid isPermaLink='false'>{escape(guid)}</guid><title>{escape(name)}</title>"
            f"<link>{escape(url)}</link><author>{escape(name)}</author>"
            f"<category>{escape(name)}</category><category>attack</category>"
            f"<enclosure url='{_attribute(url)}' type='audio/mpeg' length='1'/>"
            f"<pubDate>Mon, 01 Sep 2025 08:00:00 GMT</pubDate>"
            f"<description>{escape(html)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(URL_VECTORS[0])}</link>"
        f"{''.join(parts)}</channel></rss>"
    ).encode()


def hostile_json_feed(items: Sequence[tuple[str, str, str]], *, title: str) -> bytes:
    """JSON Feed 1.1 with the same fields as hostile_rss, plus an image and external URL."""
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": URL_VECTORS[0],
            "items": [
                {
                    "id": guid,
                    "title": name,
                    "content_html": html,
                    "url": URL_VECTORS[n % len(URL_VECTORS)],
                    "external_url": URL_VECTORS[(n + 1) % len(URL_VECTORS)],
                    "image": URL_VECTORS[(n + 2) % len(URL_VECTORS)],
                    "authors": [{"name": name, "url": URL_VECTORS[0]}],
                    "tags": [name, "attack"],
                    "attachments": [{"url": URL_VECTORS[n % len(URL_VECTORS)], "mime_type": "x"}],
                    "date_published": "2025-09-01T08:00:00Z",
                }
                for n, (guid, name, html) in enumerate(items)
            ],
        }
    ).encode()


def hostile_opml(feeds: Sequence[tuple[str, str]], vectors: Sequence[str]) -> bytes:
    """OPML whose (url, title) feeds sit in categories named by vectors, with vector titles and
    script URLs as htmlUrl; plus outlines whose xmlUrl itself is a script URL."""
    outlines = []
    for n, (url, name) in enumerate(feeds):
        vector = vectors[n % len(vectors)]
        outlines.append(
            f"<outline text='{_attribute(vector)}' title='{_attribute(vector)}'>"
            f"<outline type='rss' text='{_attribute(name + vector)}' title='{_attribute(name)}'"
            f" xmlUrl='{_attribute(url)}' htmlUrl='{_attribute(URL_VECTORS[n % 5])}'/>"
            "</outline>"
        )
    for n, url in enumerate(URL_VECTORS):
        outlines.append(
            f"<outline type='rss' text='bad {n}' xmlUrl='{_attribute(url)}'"
            f" htmlUrl='{_attribute(url)}'/>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><opml version='2.0'><head><title>"
        f"{escape(vectors[0])}</title></head><body>{''.join(outlines)}</body></opml>"
    ).encode()


def hostile_notes(folder: Path, vectors: Sequence[str], per_note: int = 10) -> int:
    """Markdown notes carrying vectors: front matter (title, tags, author), raw HTML, links,
    autolinks, images and TeX. Returns how many notes were written."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for count, start in enumerate(range(0, len(vectors), per_note), start=1):
        chunk = vectors[start : start + per_note]
        url = URL_VECTORS[count % len(URL_VECTORS)]
        front = {"title": chunk[0], "tags": [chunk[-1], "attack"], "author": chunk[len(chunk) // 2]}
        body = "\n\n".join(
            f"{vector}\n\n[link]({url}) <{url}> ![img]({url}) $\\href{{{url}}}{{x}}$"
            for vector in chunk
        )
        front_matter = "\n".join(f"{key}: {json.dumps(value)}" for key, value in front.items())
        (folder / f"note-{count}.md").write_text(f"---\n{front_matter}\n---\n\n{body}\n")
    return count
