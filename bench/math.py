"""TeX→MathML converters side by side on the coverage corpus: coverage, TeX leaks and speed.

The corpus is every formula the pipeline finds in ../shared/corpus and the demo notes, plus our
list of ML constructs (tests/clean/data/ml_formulas.tex). Per converter: formulas converted
cleanly, refused (an error: the TeX would stay visible as code), converted with TeX leaking
(`&` cells, backslashes, `linebreak=`, error boxes), and µs per distinct formula without cache;
then the TeX→MathML cost per entry of `bench/corpus.py`'s feeds (issue 18 asks ≤ 0.5 ms).
"incoming" is clean/mathml.py without its cache; "incoming, cached" with it, as ingest runs it,
its cache emptied before the per-entry run (formulas repeat across entries there too).

Run: `.venv/bin/python -m bench.math [--js DIR]`. Temml and KaTeX run in V8 (`pip install
mini-racer`) when DIR holds their `temml.min.js` / `katex.min.js` (`npm pack temml katex`, then
untar); without it those columns are skipped.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path

from latex2mathml.converter import convert as latex2mathml_convert
from math_core import LatexToMathML
from tests.conftest import CORPUS
from tests.support.formulas import Formula, corpus_formulas, own_formulas, recording, tex_leaks

from bench.corpus import feeds
from incoming.clean import clean_html, latex_to_mathml
from incoming.parse import parse_feed

Converter = Callable[[str, bool], str]  # raises on TeX it cannot convert


def _math_core() -> Converter:
    converter = LatexToMathML(fancy_error=False)
    return lambda tex, display: converter.convert_with_local_state(tex, displaystyle=display)


def _latex2mathml(tex: str, display: bool) -> str:
    return latex2mathml_convert(tex, display="block" if display else "inline")


def _incoming(tex: str, display: bool) -> str:
    """The project's own function as ingest calls it, minus its cache."""
    mathml = latex_to_mathml.__wrapped__(tex, display=display)
    if not mathml.startswith("<math"):
        raise ValueError("kept as TeX")
    return mathml


def _incoming_cached(tex: str, display: bool) -> str:
    """As ingest runs it: with its LRU cache, which formulas repeated across entries hit."""
    mathml = latex_to_mathml(tex, display=display)
    if not mathml.startswith("<math"):
        raise ValueError("kept as TeX")
    return mathml


def _javascript(stack: ExitStack, script: Path, call: str) -> Converter:
    from py_mini_racer import MiniRacer  # only the bench needs V8

    context = MiniRacer()
    stack.callback(context.close)
    context.eval(script.read_text(encoding="utf-8"))
    context.eval(f"function convert(tex, display) {{ return {call}; }}")
    return lambda tex, display: context.call("convert", tex, display)


def converters(stack: ExitStack, js: Path | None) -> dict[str, Converter]:
    found: dict[str, Converter] = {
        "latex2mathml 3.81": _latex2mathml,
        "math-core 0.9": _math_core(),
    }
    if js is not None:
        options = "{displayMode: display, throwOnError: true, annotate: true"
        found["Temml (V8)"] = _javascript(
            stack, js / "temml.min.js", f"temml.renderToString(tex, {options}}})"
        )
        found["KaTeX MathML (V8)"] = _javascript(
            stack, js / "katex.min.js", f'katex.renderToString(tex, {options}, output: "mathml"}})'
        )
    found["incoming (clean/mathml.py)"] = _incoming
    found["incoming, cached"] = _incoming_cached
    return found


def coverage(convert: Converter, formulas: list[Formula]) -> tuple[int, int, int]:
    """(clean, refused, leaking) over formulas."""
    clean = refused = leaking = 0
    for tex, display in formulas:
        try:
            mathml = convert(tex, display)
        except Exception:
            refused += 1
            continue
        if tex_leaks(tex, mathml):
            leaking += 1
        else:
            clean += 1
    return clean, refused, leaking


def best_seconds(convert: Converter, formulas: list[Formula]) -> float:
    """The best of up to 5 runs over formulas (fewer when one takes seconds): the machine is
    shared. The cached row's cache is emptied first, as a fresh ingest process starts."""
    best = float("inf")
    for _ in range(5):
        latex_to_mathml.cache_clear()
        started = time.perf_counter()
        for tex, display in formulas:
            with suppress(Exception):
                convert(tex, display)
        elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        if elapsed > 2:
            break
    return best


def entry_formulas(feed_count: int = 10, entries: int = 50) -> list[list[Formula]]:
    """The formulas of each entry of bench/corpus.py's feeds, found as ingest finds them."""
    per_entry = []
    for path, body in feeds(feed_count, entries):
        for entry in parse_feed(body, url=f"https://bench.example{path}").entries:
            found: list[Formula] = []
            with recording(found):
                clean_html(entry.content_html)
            per_entry.append(found)
    return per_entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--js", type=Path, help="folder with temml.min.js and katex.min.js")
    args = parser.parse_args()
    occurrences = corpus_formulas(CORPUS)
    real = list(dict.fromkeys(occurrences))
    own = own_formulas()
    entries = entry_formulas()
    print(
        f"corpus: {len(occurrences)} formulas, {len(real)} distinct; own list: {len(own)}; "
        f"bench entries: {len(entries)} with {sum(map(len, entries))} formulas"
    )
    header = f"{'converter':28} {'corpus ok/refused/leak':>24} {'own ok/refused/leak':>21}"
    print(f"{header} {'µs/formula':>10} {'ms/entry':>8}")
    with ExitStack() as stack:
        for name, convert in converters(stack, args.js).items():
            ok, refused, leak = coverage(convert, real)
            own_ok, own_refused, own_leak = coverage(convert, own)
            micros = best_seconds(convert, real) / len(real) * 1e6
            entry_ms = (
                best_seconds(convert, [f for entry in entries for f in entry]) / len(entries) * 1e3
            )
            print(
                f"{name:28} {f'{ok}/{refused}/{leak}':>24} "
                f"{f'{own_ok}/{own_refused}/{own_leak}':>21} {micros:10.1f} {entry_ms:8.3f}"
            )


if __name__ == "__main__":
    main()
