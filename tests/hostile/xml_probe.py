"""Parse and clean documents one by one in this process, measuring time and peak memory.

Run by test_xml.py as `python -m tests.hostile.xml_probe < documents.json`; prints one JSON
object: for each document its seconds, outcome and how far the peak RSS rose.
"""

from __future__ import annotations

import json
import sys
import time

from incoming.errors import IncomingError
from incoming.parse import parse_feed
from incoming.sources.prepare import make_draft
from tests.support.memory import peak_rss_bytes


def probe(text: str) -> dict[str, object]:
    started = time.perf_counter()
    try:
        feed = parse_feed(text.encode("utf-8"), url="https://attacker.example/feed.xml")
        drafts = [make_draft(e, source_topic=None, content_hash="h") for e in feed.entries]
        outcome = "stored", " ".join(d.title + d.content_html for d in drafts)
    except IncomingError as exc:
        outcome = "refused", str(exc)
    return {"seconds": time.perf_counter() - started, "outcome": outcome[0], "text": outcome[1]}


def main() -> None:
    documents = json.load(sys.stdin)
    probe("<rss version='2.0'><channel><title>warm</title></channel></rss>")
    baseline = peak_rss_bytes()
    results = []
    for document in documents:
        result = probe(document)
        result["peak_rise"] = peak_rss_bytes() - baseline
        results.append(result)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
