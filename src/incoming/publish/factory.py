"""The site as an app factory, for servers that start several processes from an import string.

    uvicorn --factory incoming.publish.factory:app_from_environment --workers 4

Each process opens its own store from INCOMING_DATABASE_URL: they share nothing but the
database. The settings come from INCOMING_SITE_SETTINGS (JSON, as `incoming serve --workers`
writes it), else from INCOMING_ALLOW_PRIVATE_ADDRESSES and INCOMING_REFRESH; refresh is off
by default here, since every process would run its own. Set PROMETHEUS_MULTIPROC_DIR to an
empty folder first, or each process's /metrics shows only its own requests.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette

from incoming.fetch.settings import FetchSettings
from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings, settings_from_json
from incoming.store.engine import DEFAULT_DATABASE_URL, open_store

DATABASE_ENV = "INCOMING_DATABASE_URL"
SETTINGS_ENV = "INCOMING_SITE_SETTINGS"
_TRUE = frozenset({"1", "true", "yes", "on"})


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUE


def settings_from_environment() -> SiteSettings:
    raw = os.environ.get(SETTINGS_ENV)
    if raw:
        return settings_from_json(raw)
    return SiteSettings(
        refresh=_flag("INCOMING_REFRESH"),
        fetch=FetchSettings(allow_private_addresses=_flag("INCOMING_ALLOW_PRIVATE_ADDRESSES")),
    )


def app_from_environment() -> Starlette:
    """One web process's app, on a store of its own that it closes on shutdown."""
    store = open_store(os.environ.get(DATABASE_ENV, DEFAULT_DATABASE_URL))
    return create_app(store, settings_from_environment(), close_store=True)
