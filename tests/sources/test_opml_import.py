"""A large OPML import commits in batches: other writers (an `add`, a login, the fetchers) get
the SQLite write lock in between instead of waiting for the whole list (issue 19, item 7)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from sqlalchemy import event, func, select

from incoming.fetch import FetchSettings
from incoming.sources import service
from incoming.sources.notes import read_notes_folder
from incoming.store.engine import Store, open_store
from incoming.store.schema import sources
from incoming.store.sources import add_source, list_sources
from tests.sources.feeds import opml

LARGE = 5_000


def _count(store: Store) -> int:
    with store.read() as connection:
        return connection.execute(select(func.count()).select_from(sources)).scalar_one()


def test_an_import_commits_in_batches_and_skips_what_is_stored(store: Store) -> None:
    with store.write() as connection:
        add_source(
            connection, kind="feed", url="https://feeds7.example.org/7.xml", now=service.utcnow()
        )
    writes: list[bool] = []
    event.listen(
        store.engine,
        "begin",
        lambda connection: writes.append(
            connection.get_execution_options().get("incoming_write", False)
        ),
    )
    report = service.import_opml(store, opml(LARGE))
    assert sum(writes) == -(-(LARGE - 1) // service.IMPORT_BATCH)
    assert len(report.added) == LARGE - 1
    assert report.skipped == ["https://feeds7.example.org/7.xml"]
    with store.read() as connection:
        stored = list_sources(connection)
    assert len(stored) == LARGE
    by_url = {source.url: source for source in stored}
    first = by_url["https://feeds1.example.org/1.xml"]
    assert (first.title, first.topic, first.host) == ("博客 1", "主题 1", "feeds1.example.org")
    again = service.import_opml(store, opml(10))
    assert again.added == []
    assert len(again.skipped) == 10


def test_an_add_gets_in_during_a_large_import(tmp_path: Path) -> None:
    """The `add` runs on its own engine, as another process would, once the first batch is in:
    it waits for one batch at most, not for the whole list."""
    url = f"sqlite:///{tmp_path / 'incoming.db'}"
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "注意力.md").write_text("# 注意力机制\n\n一篇笔记。\n", encoding="utf-8")
    read_notes_folder(notes, topic=None)  # the first read imports the Markdown pipeline: not timed
    importer, adder = open_store(url), open_store(url)
    try:
        importing = threading.Thread(target=service.import_opml, args=(importer, opml(LARGE)))
        importing.start()
        deadline = time.monotonic() + 30
        while _count(adder) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.monotonic()
        added = asyncio.run(
            service.add_source(adder, str(notes), topic=None, fetch_settings=FetchSettings())
        )
        waited = time.monotonic() - started
        importing.join()
        assert _count(adder) == LARGE + 1
        assert added.source.id < LARGE + 1, f"the add waited for the whole import ({waited:.1f} s)"
        assert added.counts.new == 1
    finally:
        importer.close()
        adder.close()
