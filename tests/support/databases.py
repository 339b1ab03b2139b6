"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema, per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

POSTGRES_URL = os.environ.get(
    "INCOMING_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(available: bool, why: str) -> None:
    """Skip when a real part is missing on a user's machine; in CI that is a failure."""
    if available:
        return
    if in_ci():
        pytest.fail(f"{why} (CI=true: this test must run, not skip)")
    pytest.skip(why)


def _postgres_reachable() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@contextmanager
def fresh_schema(base_url: str, prefix: str = "t") -> Iterator[str]:
    """A URL whose search_path is a new empty schema of base_url's database, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base_url}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def postgres_schema_url() -> Iterator[str]:
    """A fresh schema on the test server (skipped where it is unreachable, except in CI)."""
    require(_postgres_reachable(), f"PostgreSQL is not reachable at {POSTGRES_URL}")
    with fresh_schema(POSTGRES_URL) as url:
        yield url


@contextmanager
def database_url(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'incoming.db'}"
    else:
        with postgres_schema_url() as url:
            yield url
