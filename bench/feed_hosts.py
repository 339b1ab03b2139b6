"""`/feed.atom` with two huge entries, asked for under many host names (issue 19.6).

Side by side in one run, on one SQLite store of 50 articles of which two hold 4 MB of HTML:
the feed's size with the per-entry cap (feed_content_bytes, 256 KiB) and without it (a cap
above the largest entry), and the time of the first request (the feed written) beside that of
a request under another allowed Host (the origin put into the written feed) and of a repeat.

Run: `.venv/bin/python -m bench.feed_hosts` (prints sizes and ms, best of 5 per figure).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from incoming.models import ArticleDraft
from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings
from incoming.store.articles import save_drafts
from incoming.store.engine import Store, open_store
from incoming.store.sources import add_source

HUGE_BYTES = 4 * 1024 * 1024
HOSTS = 40
RUNS = 5
START = datetime(2025, 1, 1, tzinfo=UTC)


def _draft(n: int, html: str) -> ArticleDraft:
    moment = START + timedelta(hours=n)
    return ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://blog.example.org/{n}",
        title=f"Article {n}",
        author="Ada",
        language="en",
        published=moment,
        updated=moment,
        content_html=html,
        content_text=f"article {n}",
        excerpt_html=f"<p>Excerpt of article {n}.</p>",
        content_hash=f"{n:064x}",
    )


def _fill(store: Store) -> None:
    paragraph = "<p>" + "gradient descent and attention " * 30 + "</p>"
    huge = paragraph * (HUGE_BYTES // len(paragraph))
    drafts = [_draft(n, huge if n in (48, 49) else paragraph * 8) for n in range(50)]
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://blog.example.org/f", now=START)
        save_drafts(connection, source.id, drafts, now=START)


async def _timed(client: httpx.AsyncClient, host: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = await client.get("/feed.atom", headers={"Host": host})
    assert answer.status_code == 200, answer.text[:200]
    return (time.perf_counter() - started) * 1000, len(answer.content)


async def _measure(store: Store, settings: SiteSettings) -> dict[str, float]:
    """Best of RUNS for: the first request, one under a new Host, one repeated."""
    first, other, repeat, size = [], [], [], 0
    for run in range(RUNS):
        app = create_app(store, settings)  # a fresh site: nothing written yet
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://h0.example") as client:
            elapsed, size = await _timed(client, "h0.example")
            first.append(elapsed)
            others = [await _timed(client, f"h{n}.example") for n in range(1, HOSTS)]
            other.append(min(ms for ms, _ in others))
            repeat.append((await _timed(client, f"h{run + 1}.example"))[0])
    return {"bytes": size, "first": min(first), "other": min(other), "repeat": min(repeat)}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            _fill(store)
            base = SiteSettings(refresh=False, marker_ttl_seconds=600, allowed_hosts=(".example",))
            capped = asyncio.run(_measure(store, base))
            whole = asyncio.run(_measure(store, replace(base, feed_content_bytes=2 * HUGE_BYTES)))
        finally:
            store.close()
    print(f"/feed.atom, 50 entries of which 2 of {HUGE_BYTES // 1024} KiB, {HOSTS} host names")
    for name, figures in (("capped at 256 KiB", capped), ("no cap", whole)):
        print(
            f"{name:>18}: {figures['bytes'] / 1e6:6.2f} MB; "
            f"first request {figures['first']:7.1f} ms, "
            f"another Host {figures['other']:6.1f} ms, repeat {figures['repeat']:6.1f} ms"
        )
    print(f"size ratio no cap / capped: {whole['bytes'] / capped['bytes']:.0f}x")


if __name__ == "__main__":
    main()
