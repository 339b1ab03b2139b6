"""Fixtures of the parse tests: our own small fixture files, and the shared real-world corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.databases import require

DATA = Path(__file__).resolve().parent / "data"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def corpus() -> Path:
    """The shared corpus: skipped when absent on a user's machine, a failure in CI."""
    require(CORPUS.is_dir(), f"the shared corpus is not at {CORPUS}")
    return CORPUS
