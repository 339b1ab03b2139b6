"""`incoming backup`: a checked, complete copy of a live SQLite database; clear refusals."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import insert

from incoming.cli import cli
from incoming.store.engine import Store, open_store
from incoming.store.schema import articles
from incoming.store.sources import add_source

BODY = "<p>" + "gradient descent, attention and 注意力机制. " * 40 + "</p>"


def _rows(source_id: int, first: int, count: int) -> list[dict]:
    now = datetime.now(UTC)
    return [
        {
            "source_id": source_id,
            "identity": f"g:{n}",
            "title": f"Article {n}",
            "updated": now,
            "first_seen": now,
            "content_html": BODY,
            "content_text": BODY,
            "excerpt_html": BODY[:200],
            "content_hash": f"{n:064x}",
        }
        for n in range(first, first + count)
    ]


def _backup(database: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database", database, "backup", *args])


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'live.db'}")
    yield store
    store.close()


def test_a_backup_while_a_writer_is_busy_is_whole_and_consistent(
    sqlite_store: Store, tmp_path: Path
) -> None:
    with sqlite_store.write() as connection:
        source = add_source(
            connection, kind="feed", url="https://a.example/feed", now=datetime.now(UTC)
        )
        connection.execute(insert(articles), _rows(source.id, 0, 5000))
    committed = [5000]
    stop, started = threading.Event(), threading.Event()

    def write_on() -> None:
        while not stop.is_set():
            with sqlite_store.write() as connection:
                connection.execute(insert(articles), _rows(source.id, committed[0], 5))
            committed[0] += 5
            started.set()

    writer = threading.Thread(target=write_on)
    writer.start()
    try:
        started.wait(10)
        before = committed[0]
        result = _backup(str(sqlite_store.engine.url), str(tmp_path / "copy.db"))
        after = committed[0]
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert after > before  # the writer went on during the backup

    copy = sqlite3.connect(tmp_path / "copy.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        identities = {row[0] for row in copy.execute("SELECT identity FROM articles")}
    finally:
        copy.close()
    assert before <= len(identities) <= after
    assert identities == {f"g:{n}" for n in range(len(identities))}  # a snapshot: no gaps
    assert sorted(path.name for path in tmp_path.iterdir() if "copy" in path.name) == ["copy.db"]


def test_an_existing_file_is_kept_unless_forced(sqlite_store: Store, tmp_path: Path) -> None:
    database, target = str(sqlite_store.engine.url), tmp_path / "copy.db"
    target.write_bytes(b"precious")
    refused = _backup(database, str(target))
    assert refused.exit_code == 1
    assert "exists: pass --force" in refused.stderr
    assert target.read_bytes() == b"precious"
    assert _backup(database, str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")


@pytest.mark.parametrize(
    ("database", "target", "message"),
    [
        ("postgresql://postgres@127.0.0.1/test", "copy.db", "use pg_dump"),
        ("sqlite://", "copy.db", "in-memory"),
        ("sqlite:///{tmp}/absent.db", "copy.db", "no SQLite database at"),
        ("{live}", "no/such/folder/copy.db", "no folder"),
        ("{live}", ".", "is a folder"),
        ("{live}", "/proc/incoming-copy.db", "/proc"),
        ("{live}", "{tmp}/live.db", "the database itself"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    sqlite_store: Store, tmp_path: Path, database: str, target: str, message: str
) -> None:
    fill = {"tmp": tmp_path, "live": sqlite_store.engine.url}
    result = _backup(database.format(**fill), str(tmp_path / target.format(**fill)), "--force")
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stderr.strip().count("\n") == 0
