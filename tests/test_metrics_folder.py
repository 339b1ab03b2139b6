"""The multiprocess metrics folder: an earlier run's values never leak into this one's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from incoming.metrics import MULTIPROCESS_ENV, multiprocess_directory


def test_a_configured_folder_is_made_and_emptied_of_old_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    monkeypatch.setenv(MULTIPROCESS_ENV, str(folder))
    with multiprocess_directory(needed=False) as made:
        assert made == folder
        (folder / "counter_123.db").write_bytes(b"old")
        (folder / "notes.txt").write_text("not ours")
    with multiprocess_directory(needed=True):
        assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"]
    assert folder.is_dir()  # the operator's folder stays


def test_without_one_a_temporary_folder_lives_for_the_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(MULTIPROCESS_ENV, raising=False)
    with multiprocess_directory(needed=False) as none:
        assert none is None
        assert MULTIPROCESS_ENV not in os.environ
    with multiprocess_directory(needed=True) as made:
        assert made is not None
        assert os.environ[MULTIPROCESS_ENV] == str(made)
        assert made.is_dir()
    assert MULTIPROCESS_ENV not in os.environ
    assert not made.exists()
