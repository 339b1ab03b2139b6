"""Bundled demo notes, so a fresh `incoming serve` has a full front page to show."""

from importlib.resources import files
from pathlib import Path


def demo_notes_path() -> Path:
    """Return the folder of demo Markdown notes shipped inside the package."""
    return Path(str(files(__name__) / "notes"))
