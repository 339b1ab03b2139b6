"""Structured logs: JSON lines with the fetch pipeline's fields; plain text by default."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import datetime

from incoming.logs import JsonFormatter
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.processes import INCOMING_COMMAND
from tests.support.server import FixtureServer


def _record(**extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "incoming.test", "levelno": logging.WARNING})
    record.levelname, record.msg, record.args = "WARNING", "fetched %s", ("源 1",)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_line_with_its_fields() -> None:
    line = JsonFormatter().format(_record(source_id=3, outcome="new", when=datetime(2026, 1, 1)))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "warning"
    assert parsed["logger"] == "incoming.test"
    assert parsed["message"] == "fetched 源 1"
    assert parsed["source_id"] == 3
    assert parsed["outcome"] == "new"
    assert parsed["when"] == "2026-01-01 00:00:00"  # what JSON cannot hold is its str()
    assert datetime.fromisoformat(parsed["time"]).utcoffset().total_seconds() == 0


def test_an_exception_stays_inside_its_line() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = _record()
        record.exc_info = sys.exc_info()
    parsed = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in parsed["exception"]


def _run(database: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"INCOMING_ALLOW_PRIVATE_ADDRESSES": "1"}
    return subprocess.run(
        [*INCOMING_COMMAND, "--database", database, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_fetch_logs_json_lines_with_source_outcome_and_duration(
    tmp_path, server: FixtureServer
) -> None:
    server.route("/feed.xml", body=rss([("j", "Logged", "<p>x</p>")]), headers=RSS_HEADERS)
    database = f"sqlite:///{tmp_path / 'logs.db'}"
    _run(database, "import-opml", str(_opml(tmp_path, server.url("/feed.xml"))))

    plain = _run(database, "fetch", "--database", database)
    assert "{" not in plain.stderr  # text stays the default: no JSON

    logged = _run(database, "--log-format", "json", "fetch")
    records = [json.loads(line) for line in logged.stderr.splitlines() if line.strip()]
    [fetched] = [r for r in records if r["logger"] == "incoming.sources.refresh"]
    assert fetched["level"] == "info"
    assert fetched["url"] == server.url("/feed.xml")
    assert fetched["source_id"] == 1
    assert fetched["outcome"] == "unchanged"
    assert fetched["duration_ms"] > 0


def _opml(folder, url: str):
    path = folder / "list.opml"
    path.write_text(
        f'<opml version="2.0"><body><outline type="rss" text="L" xmlUrl="{url}"/></body></opml>'
    )
    return path
