"""A runaway feed: 100,000 tiny entries in 10 MB, fetched, parsed and stored in a fresh process.

Without the per-fetch cap this took 116 s and 461 MB of peak RSS here (2 busy cores, side by
side in `python -m bench.runaway`); with it the newest 500 are stored in 3.7 s at 159 MB (the
process holds 105 MB before fetching). The bounds leave room for a loaded CI machine and still
fail without the cap.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_PEAK_MB = 250
MAX_SECONDS = 30


def test_a_feed_of_100000_entries_stores_its_newest_500_in_bounded_time_and_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.feed_probe", "100000", "500"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["feed_bytes"] > 9_000_000
    assert result["error"] is None
    assert (result["new"], result["stored"]) == (500, 500)
    assert result["peak_rss_mb"] < MAX_PEAK_MB, result
    assert result["seconds"] < MAX_SECONDS, result
