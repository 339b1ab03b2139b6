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


def opml(count: int) -> bytes:
    """An OPML list of `count` feeds on 97 hosts, under a few topics (a large subscription list)."""
    outlines = "".join(
        f'<outline text="主题 {topic}">'
        + "".join(
            f'<outline type="rss" text="博客 {n}"'
            f' xmlUrl="https://feeds{n % 97}.example.org/{n}.xml"/>'
            for n in range(topic, count, 4)
        )
        + "</outline>"
        for topic in range(min(count, 4))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><opml version="2.0"><head><title>many</title>'
        f"</head><body>{outlines}</body></opml>"
    ).encode()
