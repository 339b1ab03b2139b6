"""The demo notes shipped in the package: a full front page on a fresh machine."""

from __future__ import annotations

from incoming.demo import demo_notes_path
from incoming.sources import service
from incoming.store.articles import latest_articles
from incoming.store.engine import Store


def test_demo_notes_import_once_with_math_and_code(store: Store) -> None:
    added = service.ensure_demo_source(store)
    assert added is not None
    assert added.counts.new == len(list(demo_notes_path().glob("*.md"))) >= 24
    assert service.ensure_demo_source(store) is None  # added once
    with store.read() as connection:
        notes = latest_articles(connection, limit=100)
    assert all("<math" in note.content_html for note in notes)
    assert not any('class="math-tex"' in note.content_html for note in notes)  # no TeX left
    assert sum('class="language-' in note.content_html for note in notes) >= 20
    assert all(note.excerpt_html and note.topics for note in notes)
    assert any("\u4e00" <= ch <= "\u9fff" for note in notes for ch in note.title)
