"""The command line starts quickly: defining the commands imports none of the heavy libraries,
each command imports what it uses when it runs (issue 20, item 2; timings: bench/start.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "sqlalchemy",
    "alembic",
    "starlette",
    "uvicorn",
    "feedparser",
    "lxml",
    "pygments",
    "httpx",
    "pydantic",
)
INCOMING = Path(sys.executable).with_name("incoming")


def test_importing_the_command_line_imports_no_heavy_library() -> None:
    probe = "import json, sys, incoming.cli; print(json.dumps(sorted(sys.modules)))"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True)
    imported = {name.split(".")[0] for name in json.loads(found.stdout)}
    assert imported.isdisjoint(HEAVY), sorted(imported.intersection(HEAVY))


def test_help_works_without_them() -> None:
    shown = subprocess.run([str(INCOMING), "--help"], capture_output=True, text=True, check=True)
    assert "Incoming: gather machine-learning writing" in shown.stdout
    assert "sqlite:///incoming.db" in shown.stdout
    for command in ("add", "articles", "search", "serve", "worker", "admin", "backup"):
        assert f"  {command} " in shown.stdout
