"""A fresh PostgreSQL schema per test: coordinating processes is what PostgreSQL is for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from incoming.store.engine import Store, open_store
from tests.support.databases import postgres_schema_url


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_schema_url() as url:
        yield url


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    opened = open_store(pg_url)
    yield opened
    opened.close()
