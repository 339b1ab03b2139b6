"""The README's two commands: `make run` installs only when the dependencies changed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.databases import require

ROOT = Path(__file__).resolve().parents[1]


def test_make_run_does_not_reinstall_an_installed_checkout() -> None:
    # `make test` has installed this checkout (its stamp is there) before pytest runs.
    require(
        shutil.which("make") is not None and (ROOT / ".venv" / ".installed").exists(),
        "this checkout was not installed by make",
    )
    question = subprocess.run(["make", "-q", "install"], cwd=ROOT, check=False)
    assert question.returncode == 0, "make would run pip again with nothing changed"


def test_a_dependency_change_installs_again(tmp_path: Path) -> None:
    require(shutil.which("make") is not None, "make is missing")
    shutil.copy(ROOT / "Makefile", tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    (tmp_path / ".venv" / ".installed").touch()
    dry = subprocess.run(["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True)
    assert "pip install" not in dry.stdout
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    later = (tmp_path / ".venv" / ".installed").stat().st_mtime + 10
    os.utime(tmp_path / "pyproject.toml", (later, later))
    dry = subprocess.run(["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True)
    assert "pip install --quiet -e ." in dry.stdout
