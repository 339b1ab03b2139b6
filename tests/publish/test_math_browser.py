"""The coverage corpus rendered by Chromium on a 360 px screen: every formula a real box, no TeX
showing through, table cells laid out as TeX lays them out (site.css, "MathML Core")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

import pytest

from incoming.clean import latex_to_mathml
from incoming.store.engine import open_store
from incoming.store.sources import add_source
from tests.conftest import CORPUS
from tests.publish.support import BASE, SETTINGS, entry, save_entries
from tests.support.browser import chromium, live_site, open_tab
from tests.support.databases import require
from tests.support.formulas import Formula, corpus_formulas, own_cases

pytestmark = [pytest.mark.browser, pytest.mark.corpus]

FORMULAS_PER_ARTICLE = 250  # within an entry's TeX budget (clean/formulas.py)

# For each <math>: its box, and the text it shows (its TeX annotation left out).
MATH_BOXES = """
() => [...document.querySelectorAll(".prose math")].map((math) => {
  const shown = math.cloneNode(true);
  shown.querySelectorAll("annotation").forEach((a) => a.remove());
  const box = math.getBoundingClientRect();
  return {width: box.width, height: box.height, text: shown.textContent,
          tex: math.querySelector("annotation")?.textContent ?? ""};
})
"""


@dataclass
class MathSite:
    url: str
    articles: list[str]


def _article_html(formulas: list[Formula]) -> str:
    paragraphs = []
    for tex, display in formulas:
        opener, closer = ("\\[", "\\]") if display else ("\\(", "\\)")
        paragraphs.append(f"<p>Formula: {opener}{escape(tex, quote=False)}{closer}</p>")
    return "\n".join(paragraphs)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MathSite]:
    require(CORPUS.is_dir(), f"the shared corpus is not at {CORPUS}")
    formulas = [*dict.fromkeys(corpus_formulas(CORPUS)), *own_cases().values()]
    converted = [f for f in formulas if latex_to_mathml(f[0], display=f[1]).startswith("<math")]
    chunks = [
        converted[start : start + FORMULAS_PER_ARTICLE]
        for start in range(0, len(converted), FORMULAS_PER_ARTICLE)
    ]
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('math') / 'site.db'}")
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://m.example/f.xml", now=BASE)
    entries = [
        entry(n, title=f"Formulas {n}", html=_article_html(chunk)) for n, chunk in enumerate(chunks)
    ]
    save_entries(store, source.id, entries)
    with live_site(store, SETTINGS) as url, store.read() as connection:
        ids = [row[0] for row in connection.exec_driver_sql("SELECT id FROM articles")]
        yield MathSite(url, [f"/a/{article}/x" for article in ids])
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_every_formula_renders_a_box_without_tex_at_360_px(site: MathSite, browser: Any):
    tab = open_tab(browser, width=360)
    page = tab.page
    seen = 0
    for path in site.articles:
        page.goto(site.url + path)
        page.evaluate("document.fonts.ready")
        for formula in page.evaluate(MATH_BOXES):
            seen += 1
            assert formula["width"] > 0, formula["tex"]
            assert formula["height"] > 0, formula["tex"]
            if "\\&" not in formula["tex"]:
                assert "&" not in formula["text"], formula["tex"]
            if "backslash" not in formula["tex"]:
                assert "\\" not in formula["text"], formula["tex"]
    assert seen > 900
    tab.assert_clean()
    page.context.close()


CELL_EDGES = """
(tex) => {
  const math = [...document.querySelectorAll("math")].find(
    (m) => m.querySelector("annotation")?.textContent === tex);
  return math === undefined ? null : [...math.querySelectorAll("mtr")].map(
    (row) => [...row.querySelectorAll(":scope > mtd")].map((cell) => {
      const box = cell.firstElementChild.getBoundingClientRect();
      return [box.left, box.right];
    }));
}
"""


def _cell_edges(page: Any, site: MathSite, tex: str) -> list[list[list[float]]]:
    """[left, right] of each cell's content, row by row, of the formula tex."""
    for path in site.articles:
        page.goto(site.url + path)
        page.evaluate("document.fonts.ready")
        if (rows := page.evaluate(CELL_EDGES, tex)) is not None:
            return rows
    raise AssertionError(f"no formula {tex!r}")


def test_cases_start_at_the_left_and_aligned_rows_meet_at_the_relation(
    site: MathSite, browser: Any
):
    tab = open_tab(browser, width=1280)
    page = tab.page
    rows = _cell_edges(page, site, own_cases()["cases"][0])
    # "x" and "0" (first column), "if x > 0" and "otherwise" (second): each column's contents
    # start at one left edge, not centred.
    assert abs(rows[0][0][0] - rows[1][0][0]) < 0.5
    assert abs(rows[0][1][0] - rows[1][1][0]) < 0.5
    rows = _cell_edges(page, site, own_cases()["aligned"][0])
    # q_m and k_n end at one edge (right-aligned), both "=" start at one edge, and between them
    # only the relation's thick space (about 5 px here), not cell padding (0.8em, 14 px more).
    (first_left, first_right), (second_left, second_right) = rows
    assert abs(first_left[1] - second_left[1]) < 0.5
    assert abs(first_right[0] - second_right[0]) < 0.5
    assert 0 < first_right[0] - first_left[1] < 8
    tab.assert_clean()
    page.context.close()


PRIME_AND_BASE = """
(tex) => {
  const math = [...document.querySelectorAll("math")].find(
    (m) => m.querySelector("annotation")?.textContent === tex);
  if (math === undefined) return null;
  const prime = [...math.querySelectorAll("mo")].find((mo) => mo.textContent === "′");
  const box = (e) => e.getBoundingClientRect();
  return [box(prime.previousElementSibling).height, box(prime).height];
}
"""


def test_a_prime_is_drawn_at_full_size(site: MathSite, browser: Any):
    tab = open_tab(browser, width=1280)
    page = tab.page
    tex = own_cases()["primes"][0]
    for path in site.articles:
        page.goto(site.url + path)
        page.evaluate("document.fonts.ready")
        if (heights := page.evaluate(PRIME_AND_BASE, tex)) is not None:
            break
    base, prime = heights
    # Latin Modern Math's prime is about 0.45 of an "f"; as a superscript it shrinks to 0.32.
    assert prime / base > 0.4
    tab.assert_clean()
    page.context.close()


def test_only_pages_with_math_load_the_math_font_by_its_versioned_url(site: MathSite, browser: Any):
    tab = open_tab(browser, width=1280)
    page = tab.page
    fonts_requested: list[str] = []
    page.on("request", lambda r: ".woff2" in r.url and fonts_requested.append(r.url))
    page.goto(site.url + "/sources")
    page.evaluate("document.fonts.ready")
    assert fonts_requested == []
    page.goto(site.url + site.articles[0])
    page.evaluate("document.fonts.ready")
    page.wait_for_function("document.fonts.check('16px \"Latin Modern Math\"')")
    # Installed copies come first (local()); this machine has none, so the file is fetched.
    assert len(fonts_requested) == 1
    assert re.search(r"/static/fonts/latinmodern-math\.woff2\?v=\w+$", fonts_requested[0])
    tab.assert_clean()
    page.context.close()
