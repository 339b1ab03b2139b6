"""Polite, safe HTTP fetching of feeds, and the arithmetic of when to fetch them again.

Its names are imported on first use (`incoming.lazy`): the settings must not bring httpx."""

from __future__ import annotations

from typing import TYPE_CHECKING

from incoming.lazy import lazy_exports

if TYPE_CHECKING:
    from incoming.fetch.fetcher import Fetcher, FetchResult
    from incoming.fetch.schedule import next_check, retry_delay
    from incoming.fetch.settings import FetchSettings

__all__ = ["FetchResult", "FetchSettings", "Fetcher", "next_check", "retry_delay"]
__getattr__ = lazy_exports(
    __name__,
    {
        "Fetcher": "fetcher",
        "FetchResult": "fetcher",
        "next_check": "schedule",
        "retry_delay": "schedule",
        "FetchSettings": "settings",
    },
)
