"""What reading each entry's content format costs: every corpus feed parsed with the guess
(`auto`) beside the same feeds with the format fixed to `html` (no guessing), in one run.

Run: `.venv/bin/python -m bench.content_format` (best of 5 runs each; needs ../shared/corpus).
"""

from __future__ import annotations

import time
from pathlib import Path

from incoming.errors import ParseError
from incoming.parse import parse_feed
from incoming.parse.content_format import ContentFormat

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_feeds() -> list[bytes]:
    return [
        path.read_bytes()
        for folder in ("feeds", "torture/feedparser/tests")
        for path in sorted((CORPUS / folder).rglob("*"))
        if path.is_file()
    ]


def parse_all(bodies: list[bytes], content_format: ContentFormat) -> int:
    entries = 0
    for body in bodies:
        try:
            feed = parse_feed(
                body, url="https://corpus.example/feed", content_format=content_format
            )
        except ParseError:
            continue
        entries += len(feed.entries)
    return entries


def fastest_seconds(bodies: list[bytes], content_format: ContentFormat, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        parse_all(bodies, content_format)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    bodies = corpus_feeds()
    entries = parse_all(bodies, ContentFormat.AUTO)
    fixed = fastest_seconds(bodies, ContentFormat.HTML)
    guessed = fastest_seconds(bodies, ContentFormat.AUTO)
    print(f"{len(bodies)} corpus files, {entries} entries, {sum(map(len, bodies)) / 1e6:.1f} MB")
    print(f"format fixed to html: {fixed * 1000:.0f} ms ({fixed / entries * 1e6:.0f} us/entry)")
    print(f"format guessed:       {guessed * 1000:.0f} ms ({guessed / entries * 1e6:.0f} us/entry)")
    print(f"guessed / fixed: {guessed / fixed:.2f}")
    print("command: .venv/bin/python -m bench.content_format")


if __name__ == "__main__":
    main()
