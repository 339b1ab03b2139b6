"""`incoming serve`: the site under uvicorn, in one process or in several on one port.

With several, uvicorn binds the port once and spawns the web processes, which share nothing
but the database: each opens its own store (`factory.app_from_environment`). The background
refresh then runs in one more process of its own, never in the web processes, so each due
source is fetched once; metrics of all of them are added up through a shared folder.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import uvicorn

from incoming.errors import ConfigError
from incoming.logs import server_logging_config
from incoming.metrics import multiprocess_directory
from incoming.publish.app import create_app
from incoming.publish.background import refresh_process
from incoming.publish.factory import DATABASE_ENV, SETTINGS_ENV
from incoming.publish.hosts import default_allowed_hosts
from incoming.publish.settings import SiteSettings, settings_to_json
from incoming.store.engine import is_memory_sqlite, normalize_url, open_store

FACTORY = "incoming.publish.factory:app_from_environment"
STOP_SECONDS = 30


def _uvicorn_options(
    host: str, port: int, settings: SiteSettings, log_format: str
) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "access_log": False,  # requests are logged by the app, with their route and duration
        "server_header": False,
        "log_level": "info",
        "log_config": server_logging_config(log_format),
        "timeout_graceful_shutdown": STOP_SECONDS,
    }


def serve(
    store_url: str,
    *,
    host: str,
    port: int,
    settings: SiteSettings,
    workers: int = 1,
    log_format: str = "text",
) -> None:
    """Serve until interrupted; StoreUnavailableError/ConfigError if the store cannot open."""
    if workers < 1:
        raise ConfigError(f"--workers must be at least 1, not {workers}")
    if workers > 1 and is_memory_sqlite(normalize_url(store_url)):
        raise ConfigError(
            "an in-memory SQLite database cannot be shared by several web processes: "
            "give a file (sqlite:///FILE) or use --workers 1"
        )
    if not settings.allowed_hosts:
        settings = replace(settings, allowed_hosts=default_allowed_hosts(host))
    store = open_store(store_url)  # here, once: proves the URL and migrates before any worker
    options = _uvicorn_options(host, port, settings, log_format)
    with multiprocess_directory(needed=workers > 1):
        if workers == 1:
            try:
                uvicorn.run(create_app(store, settings), **options)
            finally:
                store.close()
            return
        store.close()
        with _refresher(store_url, settings, log_format):
            os.environ[DATABASE_ENV] = store_url
            os.environ[SETTINGS_ENV] = settings_to_json(replace(settings, refresh=False))
            uvicorn.run(FACTORY, factory=True, workers=workers, **options)


@contextmanager
def _refresher(store_url: str, settings: SiteSettings, log_format: str) -> Iterator[None]:
    """The refresh process beside the web processes (none when refresh is off)."""
    if not settings.refresh:
        yield
        return
    process: Any = multiprocessing.get_context("spawn").Process(
        target=refresh_process,
        args=(store_url, settings_to_json(settings), log_format),
        name="incoming-refresh",
    )
    process.start()
    try:
        yield
    finally:
        process.terminate()
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()
