"""Prometheus metrics of fetching and serving, recorded where the work happens.

Every process records into prometheus-client's default registry; when PROMETHEUS_MULTIPROC_DIR
is set (`incoming serve --workers N` sets it), values go to files there instead, and `render`
adds up every process's files, so a scrape of any one web process sees the whole site.
Labels are bounded: outcomes, source kinds, route templates, methods and status codes.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from incoming.models import SaveCounts

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
FETCH_OUTCOMES = ("new", "updated", "unchanged", "not_modified", "failed")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

FETCHES = Counter(
    "incoming_fetches",
    "Sources refreshed, by kind (feed, notes) and outcome.",
    ["kind", "outcome"],
)
FETCH_SECONDS = Histogram(
    "incoming_fetch_duration_seconds",
    "Time to refresh one source: fetch, parse, clean and store.",
    ["kind"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
ARTICLES = Counter(
    "incoming_articles_ingested",
    "Articles stored by refreshes: new ones, and changed ones updated in place.",
    ["change"],
)
REQUEST_SECONDS = Histogram(
    "incoming_http_request_duration_seconds",
    "Time to answer a request, by route template (never the raw path) and method.",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
REQUESTS = Counter(
    "incoming_http_requests",
    "Requests answered, by route template, method and status code.",
    ["route", "method", "status"],
)


def record_fetch(kind: str, outcome: str, seconds: float, counts: SaveCounts) -> None:
    FETCHES.labels(kind, outcome).inc()
    FETCH_SECONDS.labels(kind).observe(seconds)
    if counts.new:
        ARTICLES.labels("new").inc(counts.new)
    if counts.updated:
        ARTICLES.labels("updated").inc(counts.updated)


@functools.cache
def _request_series(route: str, method: str, status: int) -> tuple[Histogram, Counter]:
    """The labelled series of one kind of request, looked up once: `.labels()` costs more
    than the observation itself, on every page. Bounded, as the labels are."""
    return REQUEST_SECONDS.labels(route, method), REQUESTS.labels(route, method, str(status))


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    # Normalized before the cache: a client may send any method name it likes.
    duration, count = _request_series(route, method if method in METHODS else "other", status)
    duration.observe(seconds)
    count.inc()


class _Now(Collector):
    """Gauges read from the database at scrape time, not kept by any one process."""

    def __init__(self, due_sources: int) -> None:
        self.due_sources = due_sources

    def collect(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "incoming_sources_due",
                "Sources whose next check has come: the fetch queue's depth.",
                value=self.due_sources,
            )
        ]


def render(*, due_sources: int) -> bytes:
    """The text exposition: this process's (or every process's) metrics and the gauges."""
    if os.environ.get(MULTIPROCESS_ENV):
        recorded = CollectorRegistry()
        multiprocess.MultiProcessCollector(recorded)
    else:
        recorded = REGISTRY
    now = CollectorRegistry(auto_describe=False)
    now.register(_Now(due_sources))
    return generate_latest(recorded) + generate_latest(now)


@contextmanager
def multiprocess_directory(*, needed: bool) -> Iterator[Path | None]:
    """The metrics folder for processes started inside this block (set before they import
    prometheus-client): PROMETHEUS_MULTIPROC_DIR if set, created if missing and emptied of an
    earlier run's files; else, if `needed`, a temporary one, removed afterwards."""
    configured = os.environ.get(MULTIPROCESS_ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for kind in ("counter", "gauge", "histogram", "summary"):
            for stale in folder.glob(f"{kind}_*.db"):
                stale.unlink(missing_ok=True)
        yield folder
        return
    if not needed:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="incoming-metrics-"))
    os.environ[MULTIPROCESS_ENV] = str(folder)
    try:
        yield folder
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(folder, ignore_errors=True)
