"""A source removed while its fetch runs: the result is dropped, with one short line.

Before ids were never reused, the next source added took the removed one's id and got the
removed feed's articles and title; and the failed save logged tracebacks and an error holding
the article text.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from incoming.fetch import FetchSettings
from incoming.sources import refresh, service
from incoming.store.engine import Store
from incoming.store.schema import articles
from incoming.store.sources import add_source, find_source
from tests.sources.feeds import RSS_HEADERS, rss
from tests.support.server import FixtureServer

SETTINGS = FetchSettings(allow_private_addresses=True, total_timeout=10.0, read_timeout=5.0)
ARTICLE_TEXT = "这篇文章的正文不应出现在任何错误里"
STALL_SECONDS = 1.0


def _add(store: Store, url: str, title: str) -> int:
    with store.write() as connection:
        return add_source(connection, kind="feed", url=url, now=datetime.now(UTC), title=title).id


async def _fetch_while(
    store: Store, server: FixtureServer, during: object
) -> list[service.Outcome]:
    """Fetch every source; once the server has the request (and stalls), run `during`."""
    fetching = asyncio.ensure_future(service.fetch_sources(store, None, fetch_settings=SETTINGS))
    for _ in range(200):
        if server.requests:
            break
        await asyncio.sleep(0.02)
    assert server.requests, "the fetch never reached the server"
    await asyncio.to_thread(during)  # type: ignore[arg-type]
    return await fetching


@pytest.mark.parametrize("then", ["another source added", "the same feed added again"])
def test_a_source_removed_mid_fetch_saves_nothing(
    store: Store, server: FixtureServer, caplog: pytest.LogCaptureFixture, then: str
) -> None:
    feed = rss([("g1", "被删除的源", f"<p>{ARTICLE_TEXT}</p>")], title="removed feed")
    server.route("/slow.xml", body=feed, headers=RSS_HEADERS, delay=STALL_SECONDS)
    removed_id = _add(store, server.url("/slow.xml"), "")
    new_url = server.url("/slow.xml") if then == "the same feed added again" else server.url("/new")
    added: list[int] = []

    def remove_and_add() -> None:
        service.remove_source(store, str(removed_id))
        added.append(_add(store, new_url, "the new source"))

    with caplog.at_level(logging.INFO):
        (outcome,) = asyncio.run(_fetch_while(store, server, remove_and_add))

    assert outcome.error == "removed while it was being fetched: nothing saved"
    assert added[0] > removed_id
    with store.read() as connection:
        assert connection.execute(select(func.count()).select_from(articles)).scalar() == 0
        new = find_source(connection, str(added[0]))
        assert new.title == "the new source"
        assert new.last_checked_at is None
        assert new.etag is None
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("incoming")]
    assert not [record for record in caplog.records if record.exc_info]
    assert not [line for line in lines if ARTICLE_TEXT in line]
    assert [line for line in lines if "removed while" in line] == [
        f"refreshed {server.url('/slow.xml')}: {outcome.error}"
    ]


def test_a_database_error_while_saving_is_recorded_in_one_line(
    store: Store, server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any other failed save records the driver's first line, not the statement's parameters."""
    feed = rss([("g1", "标题", f"<p>{ARTICLE_TEXT}</p>")])
    server.route("/feed.xml", body=feed, headers=RSS_HEADERS)
    source_id = _add(store, server.url("/feed.xml"), "")

    def failing_save(*args: object, **kwargs: object) -> None:
        raise IntegrityError(
            "INSERT INTO articles ...", (source_id, ARTICLE_TEXT), Exception("constraint failed")
        )

    monkeypatch.setattr(refresh, "save_drafts", failing_save)
    (outcome,) = asyncio.run(service.fetch_sources(store, None, fetch_settings=SETTINGS))
    assert outcome.error == "internal error: constraint failed"
    with store.read() as connection:
        assert find_source(connection, str(source_id)).last_error == outcome.error
