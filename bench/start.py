"""How long the `incoming` command takes to start, beside a bare `python -c pass`.

Each command runs in a fresh process, as a user's shell runs it, on a small store of generated
Markdown notes; most of what is measured is imports.

Run: `.venv/bin/python -m bench.start [--runs 15] [--notes 30]`
(prints best and median wall ms, and best CPU ms: less sensitive to a busy machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INCOMING = Path(sys.executable).with_name("incoming")


def write_notes(folder: Path, count: int) -> None:
    """A small folder of notes, each a few paragraphs with a topic, for `incoming add`."""
    folder.mkdir()
    for number in range(count):
        (folder / f"note-{number:03}.md").write_text(
            f"---\ntitle: Note {number} on attention\ntopics: [transformers]\n---\n\n"
            + "Scaled dot-product attention, softmax over keys, masked decoders. " * 20
            + "\n\n自注意力机制是 Transformer 的核心组件。\n",
            encoding="utf-8",
        )


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_ms(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float, float]:
    """Best and median wall time, and best CPU time (less sensitive to a busy machine), of
    `runs` fresh processes running `command`."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu, started = _children_cpu_s(), time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((_children_cpu_s() - cpu) * 1000)
    return min(walls), statistics.median(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--notes", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="incoming-start-"))
    try:
        write_notes(work / "notes", args.notes)
        env = os.environ | {"INCOMING_DATABASE_URL": f"sqlite:///{work / 'store.db'}"}
        add = [str(INCOMING), "add", str(work / "notes")]
        subprocess.run(add, env=env, check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "incoming --help": [str(INCOMING), "--help"],
            "incoming articles": [str(INCOMING), "articles"],
            "incoming search": [str(INCOMING), "search", "attention"],
        }
        results = {name: timed_ms(command, env, args.runs) for name, command in commands.items()}
    finally:
        shutil.rmtree(work)
    bare = results["python -c pass"][0]
    print(f"{'command':<20} {'best ms':>8} {'median ms':>10} {'best - python':>14} {'cpu ms':>7}")
    for name, (best, median, cpu) in results.items():
        print(f"{name:<20} {best:8.0f} {median:10.0f} {best - bare:14.0f} {cpu:7.0f}")
    print(f"({args.runs} runs each, store of {args.notes} notes)")
    print(f"re-run: .venv/bin/python -m bench.start --runs {args.runs} --notes {args.notes}")


if __name__ == "__main__":
    main()
