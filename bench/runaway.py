"""What the runaway-feed limits cost and save, side by side in one run.

Run: `.venv/bin/python -m bench.runaway [ENTRIES]` (ENTRIES of the huge feed, 100000 by
default; about a minute without the cap). Prints:

1. a feed of ENTRIES tiny entries (10 MB at 100,000) fetched, parsed and stored in a fresh
   process, without the per-fetch cap and with the default 500: seconds and peak RSS;
2. a save of one new entry into a source of 10,000 articles, with the re-issue lookup
   (store/churn.py) and without it: ms, best of 20;
3. the retention limit deleting 1,001 articles over 10,000, links looked for in all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from incoming.models import ArticleDraft
from incoming.store import churn
from incoming.store.articles import save_drafts
from incoming.store.engine import Store, open_store
from incoming.store.retention import prune_source
from incoming.store.sources import add_source

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
STORED = 10_000
HTML = "<p>" + "word " * 1000 + '<a href="https://example.org/elsewhere">a link</a></p>'


def probe(entries: int, cap: int) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.feed_probe", str(entries), str(cap)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return dict(json.loads(done.stdout))


def draft(n: int) -> ArticleDraft:
    return ArticleDraft(
        identity=f"g:{n}",
        guid=str(n),
        url=f"https://example.org/{n}",
        title=f"article {n}",
        author=None,
        language="en",
        published=NOW - timedelta(minutes=n),
        updated=None,
        content_html=HTML,
        content_text="word " * 1000,
        excerpt_html="word",
        content_hash=str(n),
        search_tokens=dict.fromkeys(
            ("title_words", "body_words", "title_chars", "body_chars", "pairs", "keywords"), "w"
        ),
    )


def filled(folder: Path, name: str, count: int) -> tuple[Store, int]:
    store = open_store(f"sqlite:///{folder / name}")
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://example.org/feed", now=NOW)
        save_drafts(connection, source.id, [draft(n) for n in range(count)], now=NOW)
    return store, source.id


def best_ms(work: Callable[[int], object], runs: int = 20) -> float:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        work(run)
        times.append(time.perf_counter() - started)
    return min(times) * 1000


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    whole, capped = probe(entries, 0), probe(entries, 500)
    for label, result in (("no cap", whole), ("cap 500", capped)):
        print(
            f"{label:>8}: {result['feed_bytes']:,} bytes, {result['new']:,} stored, "
            f"{result['seconds']} s, peak RSS {result['peak_rss_mb']} MB "
            f"({result['rss_before_mb']} MB before the fetch)"
        )
    print(
        f"ratios: {float(whole['seconds']) / float(capped['seconds']):.1f}x the time, "
        f"{float(whole['peak_rss_mb']) / float(capped['peak_rss_mb']):.1f}x the peak RSS"
    )
    with tempfile.TemporaryDirectory() as folder:
        store, source_id = filled(Path(folder), "save.db", STORED)

        def save(run: int, offset: int) -> None:
            with store.write() as connection:
                save_drafts(connection, source_id, [draft(offset + run)], now=NOW)

        looked = best_ms(lambda run: save(run, 100_000))
        with mock.patch.object(churn, "reissued_articles", return_value={}):
            skipped = best_ms(lambda run: save(run, 200_000))
        store.close()
        print(
            f"a save of 1 new entry at {STORED:,} stored: {looked:.1f} ms with the re-issue "
            f"lookup, {skipped:.1f} ms without"
        )
        store, source_id = filled(Path(folder), "prune.db", STORED + 1_001)
        started = time.perf_counter()
        with store.write() as connection:
            deleted = prune_source(connection, source_id, keep=STORED, listed=[])
        seconds = time.perf_counter() - started
        print(f"retention: {deleted:,} deleted over {STORED:,} in {seconds:.2f} s")
        store.close()


if __name__ == "__main__":
    main()
