"""Small feeds written for the tests, built in code so each test shows what it serves."""

from __future__ import annotations

from html import escape


def rss(
    items: list[tuple[str, str, str]], *, title: str = "机器学习笔记", extra: str = ""
) -> bytes:
    """An RSS 2.0 feed of (guid, title, html) items, newest first."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(name)}</title>"
        f"<link>https://blog.example.org/{guid}</link>"
        f"<pubDate>Mon, 0{n + 1} Sep 2025 08:00:00 GMT</pubDate>"
        f"<category>NLP</category><description>{escape(html)}</description></item>"
        for n, (guid, name, html) in enumerate(reversed(items))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://blog.example.org/</link>{extra}"
        f"{body}</channel></rss>"
    ).encode()


RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
