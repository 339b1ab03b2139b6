"""`incoming serve`: the site under uvicorn, on a store it opens and closes itself."""

from __future__ import annotations

import uvicorn

from incoming.publish.app import create_app
from incoming.publish.settings import SiteSettings
from incoming.store.engine import open_store


def serve(store_url: str, *, host: str, port: int, settings: SiteSettings) -> None:
    """Serve until interrupted; StoreUnavailableError/ConfigError if the store cannot open."""
    store = open_store(store_url)
    try:
        uvicorn.run(
            create_app(store, settings),
            host=host,
            port=port,
            access_log=settings.access_log,
            server_header=False,
            log_level="info",
        )
    finally:
        store.close()
