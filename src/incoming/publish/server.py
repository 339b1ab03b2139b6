"""`incoming serve`: the site under uvicorn, in one process or in several on one port.

With several, uvicorn binds the port once and spawns the web processes, which share nothing
but the database: each opens its own store (`factory.app_from_environment`). The background
refresh then runs in one more process of its own, never in the web processes, so each due
source is fetched once; metrics of all of them are added up through a shared folder.

Every web process runs `guard.GuardedProtocol` (request heads bounded in size and time,
connections capped below the open-files limit, which is raised for them at start), and
believes X-Forwarded-* only from the trusted proxies, in the app itself.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from incoming.errors import ConfigError
from incoming.logs import server_logging_config
from incoming.metrics import multiprocess_directory
from incoming.publish.app import create_app
from incoming.publish.background import refresh_process
from incoming.publish.factory import DATABASE_ENV, SETTINGS_ENV
from incoming.publish.guard import ConnectionLimits, GuardedConfig
from incoming.publish.hosts import default_allowed_hosts
from incoming.publish.settings import SiteSettings, settings_to_json
from incoming.store.engine import is_memory_sqlite, normalize_url, open_store

FACTORY = "incoming.publish.factory:app_from_environment"
STOP_SECONDS = 30
# How long uvicorn's supervisor waits for a web process to answer its health check before it
# kills and replaces it (uvicorn's default, 5 s, is less than a process takes to start on a
# loaded machine: it would kill every one in a loop). A hung process is still replaced.
HEALTHCHECK_SECONDS = 60
# Open files a web process needs besides its connections: database, logs, metrics, assets.
RESERVED_FILES = 256

log = logging.getLogger(__name__)


def connection_limits(settings: SiteSettings) -> ConnectionLimits:
    """The guard's limits, with the open-files soft limit raised (up to the hard one) so that
    `max_connections` fit beside the files the process needs; capped to fit if it cannot."""
    wanted = settings.max_connections + RESERVED_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    max_connections = settings.max_connections
    if soft != resource.RLIM_INFINITY and soft < wanted:
        max_connections = max(1, soft - RESERVED_FILES)
        log.warning(
            "only %d open files allowed (hard limit): at most %d connections a process, not %d",
            soft,
            max_connections,
            settings.max_connections,
        )
    return replace(ConnectionLimits.of(settings), max_connections=max_connections)


def _config(
    app: Any, host: str, port: int, settings: SiteSettings, log_format: str, **options: Any
) -> GuardedConfig:
    return GuardedConfig(
        app,
        limits=connection_limits(settings),
        host=host,
        port=port,
        access_log=False,  # requests are logged by the app, with their route and duration
        server_header=False,
        proxy_headers=False,  # the app reads X-Forwarded-* itself, from trusted proxies only
        log_level="info",
        log_config=server_logging_config(log_format),
        timeout_graceful_shutdown=STOP_SECONDS,
        **options,
    )


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
    with multiprocess_directory(needed=workers > 1):
        if workers == 1:
            try:
                config = _config(create_app(store, settings), host, port, settings, log_format)
                server = uvicorn.Server(config)
                with contextlib.suppress(KeyboardInterrupt):
                    server.run()
            finally:
                store.close()
            if not server.started:
                raise ConfigError(f"could not serve on {host}:{port} (the reason is logged above)")
            return
        store.close()
        with _refresher(store_url, settings, log_format):
            os.environ[DATABASE_ENV] = store_url
            os.environ[SETTINGS_ENV] = settings_to_json(replace(settings, refresh=False))
            config = _config(
                FACTORY,
                host,
                port,
                settings,
                log_format,
                factory=True,
                workers=workers,
                timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
            )
            with contextlib.suppress(KeyboardInterrupt):
                Multiprocess(config, sockets=[config.bind_socket()]).run()


@contextlib.contextmanager
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
