"""The site as an app factory, for servers that start several processes from an import string.

    uvicorn --factory incoming.publish.factory:app_from_environment --workers 4

Each process opens its own store from INCOMING_DATABASE_URL: they share nothing but the
database. The settings come from INCOMING_SITE_SETTINGS (JSON, as `incoming serve --workers`
hands them over), else from the INCOMING_* variables and the config file, as for `incoming
serve` (docs/configuration.md); refresh is off by default here, since every process would run
its own. Without base_url or allowed_hosts, only loopback names are served. Set
PROMETHEUS_MULTIPROC_DIR to an empty folder first, or each process's /metrics shows only its
own requests.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings, settings_from_json
from incoming.store import DEFAULT_DATABASE_URL
from incoming.store.engine import open_store

DATABASE_ENV = "INCOMING_DATABASE_URL"
SETTINGS_ENV = "INCOMING_SITE_SETTINGS"


def settings_from_environment() -> SiteSettings:
    raw = os.environ.get(SETTINGS_ENV)
    if raw:
        return settings_from_json(raw)
    from incoming.configuration import load_settings  # only here: pydantic is slow to import

    return load_settings(defaults={"refresh": False})


def app_from_environment() -> Starlette:
    """One web process's app, on a store of its own that it closes on shutdown."""
    store = open_store(os.environ.get(DATABASE_ENV, DEFAULT_DATABASE_URL))
    return create_app(store, settings_from_environment(), close_store=True)
