"""Real Chromium on a live site: the app under uvicorn on a free port, tabs that collect trouble.

Needs Debian's `chromium` (with `fonts-noto-cjk`) and the `playwright` package; Playwright
drives the system browser, so no browser is downloaded.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings
from incoming.store.engine import Store
from tests.support.databases import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Articles show images from their authors' sites; the tests answer those here, offline.
PICTURE = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="480" height="160">'
    b'<rect width="480" height="160" fill="#2a6"/></svg>'
)
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Watched:
    """A page with everything that went wrong in it collected: errors, warnings, dialogs."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")

    def assert_clean(self) -> None:
        assert self.problems == []
        assert self.violations() == []


@contextmanager
def live_site(store: Store, settings: SiteSettings) -> Iterator[str]:
    """The app under uvicorn on 127.0.0.1 (a free port); yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(store, settings), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    host, port = listener.getsockname()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright (skipped where missing, a failure in CI)."""
    require(
        CHROMIUM.exists(), f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    )
    require(
        importlib.util.find_spec("playwright") is not None,
        "the playwright package is not installed (pip install playwright)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_tab(browser: Any, *, width: int = 1280, **options: Any) -> Watched:
    """A fresh tab; the reader's system prefers dark unless `color_scheme` says otherwise.

    Console errors and warnings, uncaught exceptions and dialogs (an `alert(1)` that ran)
    are collected; CSP violations are read from the page with `violations()`.
    """
    options.setdefault("color_scheme", "dark")
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    context.add_init_script(WATCH_VIOLATIONS)
    context.route(
        lambda url: not url.startswith("http://127.0.0.1:"),
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=PICTURE),
    )
    page = context.new_page()
    watched = Watched(page)
    page.on(
        "console",
        lambda message: (
            message.type in ("error", "warning") and watched.problems.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: watched.problems.append(str(error)))

    def dialog(opened: Any) -> None:
        watched.problems.append(f"a {opened.type} dialog: {opened.message!r}")
        opened.dismiss()

    page.on("dialog", dialog)
    return watched
