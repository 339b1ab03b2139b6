"""Polite, safe HTTP fetching of feeds, and the arithmetic of when to fetch them again."""

from incoming.fetch.fetcher import Fetcher, FetchResult
from incoming.fetch.schedule import next_check, retry_delay
from incoming.fetch.settings import FetchSettings

__all__ = ["FetchResult", "FetchSettings", "Fetcher", "next_check", "retry_delay"]
