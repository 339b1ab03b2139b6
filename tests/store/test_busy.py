"""Writers wait for SQLite's write lock (up to the busy timeout) instead of failing a user's
action, and past it fail with one clear line: the command line, and 503 from the API."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from incoming.cli import cli
from incoming.store import accounts, engine
from incoming.store.engine import open_store
from tests.api.support import make_app, open_client


@contextmanager
def write_lock_held(database: Path, seconds: float) -> Iterator[None]:
    """Another connection (as another process would) holds the write lock for `seconds`."""
    held = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        yield
    finally:
        holder.join()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "incoming.db"
    open_store(f"sqlite:///{path}").close()  # migrated before anyone holds the lock
    return path


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "笔记.md").write_text("# 笔记\n\n正文。\n", encoding="utf-8")
    return folder


def _add(database: Path, notes: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["--database", f"sqlite:///{database}", "add", str(notes)])
    return result.exit_code, result.output, time.monotonic() - started


def test_add_waits_while_another_process_writes(database: Path, notes: Path) -> None:
    with write_lock_held(database, 1.5):
        code, output, took = _add(database, notes)
    assert code == 0, output
    assert took >= 1.0


def test_add_fails_with_one_line_past_the_busy_timeout(
    database: Path, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    with write_lock_held(database, 1.5):
        code, output, _ = _add(database, notes)
    assert code == 1
    assert output == (
        "incoming: error: the database is busy: another writer held it for 0.3 s; try again\n"
    )
    code, output, _ = _add(database, notes)  # nothing was stored: adding again works
    assert code == 0, output


@pytest.mark.anyio
async def test_api_write_past_the_busy_timeout_is_503(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "SQLITE_BUSY_TIMEOUT_MS", 300)
    store = open_store(f"sqlite:///{database}")
    try:
        with store.write() as connection:
            _, secret = accounts.create_token(connection, name="t", now=datetime.now(UTC))
        async with open_client(make_app(store)) as client:
            with write_lock_held(database, 1.5):
                answer = await client.delete(
                    "/api/v1/sources/1", headers={"Authorization": f"Bearer {secret}"}
                )
        assert answer.status_code == 503
        assert answer.json()["error"]["message"] == "the database is busy; try again shortly"
        assert answer.headers["retry-after"] == "5"
    finally:
        store.close()
