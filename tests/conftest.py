"""Fixtures shared by every test: real databases, the real HTTP fixture server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from incoming.store.engine import Store, open_store
from tests.support.databases import database_url, require
from tests.support.server import FixtureServer

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: every test using it runs on SQLite and on PostgreSQL."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    """A real HTTP server on 127.0.0.1 serving the routes a test gives it."""
    with FixtureServer() as running:
        yield running


@pytest.fixture
def corpus() -> Path:
    """The shared real-world corpus: skipped when absent on a user's machine, a failure in CI."""
    require(CORPUS.is_dir(), f"the shared corpus is not at {CORPUS}")
    return CORPUS
