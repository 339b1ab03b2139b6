"""The site in real Chromium: layout, math, code, theme, keyboard, no CSP violations; screenshots.

The browser and the live site come from tests/support/browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from incoming.store.engine import open_store
from tests.publish.support import RICH_TITLE, SETTINGS, Seeded, seed
from tests.support.browser import Watched, chromium, live_site, open_tab

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@dataclass
class Site:
    url: str
    seeded: Seeded


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app under uvicorn on 127.0.0.1 (a free port), on a seeded SQLite store."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('browser') / 'site.db'}")
    seeded = seed(store)
    with live_site(store, replace(SETTINGS)) as url:
        yield Site(url, seeded)
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def tab(browser: Any) -> Iterator[Watched]:
    watched = open_tab(browser)
    yield watched
    watched.page.context.close()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_front_page_pages_and_article(site: Site, tab: Watched) -> None:
    page = tab.page
    page.goto(site.url + "/")
    assert page.locator(".brand").inner_text() == "INCOMING TRANSMISSION"
    assert page.locator("h1").inner_text() == "LATEST UPDATES"
    assert page.locator("article.entry").count() == 12
    assert page.locator("nav.pager").is_visible()
    _shot(page, "front-1280")

    page.locator("nav.pager").get_by_role("link", name="Page 2").click()
    page.wait_for_url(site.url + "/page/2")
    assert page.locator("nav.pager a[aria-current=page]").inner_text() == "2"
    page.locator("nav.pager a[rel=prev]").click()
    page.wait_for_url(site.url + "/")

    page.get_by_role("link", name=RICH_TITLE).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == RICH_TITLE
    page.evaluate("document.fonts.ready")
    for formula in page.locator(".prose math").all():
        box = formula.bounding_box()
        assert box is not None
        assert box["width"] > 0
        assert box["height"] > 0
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any("Latin Modern Math" in family for family in loaded)
    keyword = page.locator("pre.highlight .k").first
    plain = page.locator("pre.highlight").first
    assert keyword.is_visible()
    colour = keyword.evaluate("e => getComputedStyle(e).color")
    assert colour != plain.evaluate("e => getComputedStyle(e).color")
    assert page.locator("nav.toc a").count() == 4
    _shot(page, "article-1280")
    tab.assert_clean()


def test_small_screens_do_not_scroll_sideways(site: Site, browser: Any) -> None:
    tab = open_tab(browser, width=360)
    page = tab.page
    for path, name in (
        ("/", "front-360"),
        (f"/a/{site.seeded.rich}/x", "article-360"),
        ("/search?q=attention", "search-360"),
    ):
        page.goto(site.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        _shot(page, name)
    tab.assert_clean()
    page.context.close()


def _background(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_toggle_switches_and_is_remembered(site: Site, tab: Watched) -> None:
    page = tab.page
    page.goto(site.url + "/")
    dark = _background(page)
    assert dark == "rgb(10, 13, 11)"
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.get_attribute("aria-label") == "Switch to the light theme"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    assert _background(page) == "rgb(246, 245, 239)"
    page.goto(site.url + f"/a/{site.seeded.rich}/x")
    assert _background(page) == "rgb(246, 245, 239)"
    code_light = page.locator("pre.highlight").evaluate("e => getComputedStyle(e).backgroundColor")
    _shot(page, "article-light-1280")
    page.locator("[data-theme-toggle]").click()
    assert _background(page) == dark
    code_dark = page.locator("pre.highlight").evaluate("e => getComputedStyle(e).backgroundColor")
    assert code_light != code_dark
    tab.assert_clean()


def test_the_system_preference_chooses_light_without_javascript(site: Site, browser: Any) -> None:
    tab = open_tab(browser, color_scheme="light", java_script_enabled=False)
    page = tab.page
    page.goto(site.url + "/")
    assert _background(page) == "rgb(246, 245, 239)"
    assert page.locator("article.entry").count() == 12
    assert not page.locator("[data-theme-toggle]").is_visible()
    # Without JavaScript the server's UTC times stay.
    assert page.locator("time .when-absolute").first.inner_text().endswith("UTC")
    _shot(page, "front-light-nojs-1280")
    page.locator("header [data-search]").fill("gradient")
    page.keyboard.press("Enter")  # a plain form: no script needed
    page.wait_for_url(lambda url: "/search?q=gradient" in url)
    assert page.locator("article.search-hit").count() == 12
    assert tab.problems == []
    page.context.close()


def test_times_are_shown_in_the_readers_time_zone(site: Site, browser: Any) -> None:
    tab = open_tab(browser, timezone_id="Asia/Shanghai", locale="en-GB")
    page = tab.page
    page.goto(site.url + "/")
    time_element = page.locator("article.entry time").first
    assert time_element.get_attribute("datetime") == "2025-03-02T13:00:00Z"
    assert time_element.locator(".when-absolute").inner_text() == "2 Mar 2025, 21:00"
    relative = time_element.locator(".when-relative").inner_text()
    assert relative.endswith(("ago", "year", "years"))  # Intl's "last year", "2 years ago"
    tab.assert_clean()
    page.context.close()


def test_keyboard_moves_between_articles_and_pages(site: Site, tab: Watched) -> None:
    page = tab.page
    page.goto(site.url + "/")
    entries = page.locator("article.entry")
    page.keyboard.press("j")
    assert "is-selected" in (entries.nth(0).get_attribute("class") or "")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert "is-selected" in (entries.nth(1).get_attribute("class") or "")
    focused = page.evaluate(
        "document.activeElement.closest('article')?.querySelector('h2').innerText"
    )
    assert focused == entries.nth(1).locator("h2").inner_text()
    page.keyboard.press("n")
    page.wait_for_url(site.url + "/page/2")
    page.keyboard.press("p")
    page.wait_for_url(site.url + "/")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/a/{site.seeded.newest_first[0]}/**")
    assert page.locator("h1").inner_text() == RICH_TITLE
    page.keyboard.press("n")  # on an article: the next older one
    page.wait_for_url(f"{site.url}/a/{site.seeded.newest_first[1]}/**")
    tab.assert_clean()


def test_slash_focuses_search_and_a_chinese_query_finds_marked_results(
    site: Site, tab: Watched
) -> None:
    page = tab.page
    page.goto(site.url + "/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('header input[data-search]')")
    page.keyboard.type("机制详解")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/search?q=" in url)
    assert page.locator("h1").inner_text() == "SEARCH"
    box = page.locator("header input[data-search]")
    assert box.input_value() == "机制详解"  # the "/" that focused it was not typed
    hits = page.locator("article.search-hit")
    assert hits.count() == 1
    assert hits.locator("h2 a").inner_text() == RICH_TITLE
    mark = hits.locator("h2 mark").first
    assert mark.is_visible()
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") != _background(page)
    _shot(page, "search-1280")
    hits.locator("h2 a").click()
    page.wait_for_url(f"{site.url}/a/{site.seeded.rich}/**")
    related = page.locator("aside.related a")
    assert 1 <= related.count() <= 5
    tab.assert_clean()
