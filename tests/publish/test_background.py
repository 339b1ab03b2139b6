"""Background refresh while serving: it fetches due sources, survives errors, never blocks pages."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from incoming.fetch.settings import FetchSettings
from incoming.publish import background
from incoming.publish.app import create_app
from incoming.publish.background import refresh_forever
from incoming.store.engine import Store
from incoming.store.sources import add_source
from tests.publish.support import SETTINGS, open_client
from tests.support.server import FixtureServer

pytestmark = pytest.mark.anyio

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Live Wire</title><id>urn:live</id><updated>2026-01-02T00:00:00Z</updated>
  <entry><title>Fetched while serving</title><id>urn:live:1</id>
    <link href="https://live.example.org/1"/><updated>2026-01-02T00:00:00Z</updated>
    <content type="html">&lt;p&gt;Signal acquired.&lt;/p&gt;</content></entry>
</feed>"""


async def test_a_failing_round_is_logged_and_the_next_one_comes(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rounds: list[int] = []
    third = asyncio.Event()

    async def refresh_due(*_args: Any) -> list[Any]:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("the network fell over")
        if len(rounds) == 3:
            third.set()
        return []

    monkeypatch.setattr(background, "refresh_due", refresh_due)
    task = asyncio.create_task(
        refresh_forever(store, replace(SETTINGS, refresh_every_seconds=0.01))
    )
    await asyncio.wait_for(third.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert "background refresh failed" in caplog.text
    assert caplog.records[0].levelno == logging.ERROR


async def test_pages_answer_while_a_refresh_is_under_way(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_refresh(*_args: Any) -> list[Any]:
        started.set()
        await release.wait()
        return []

    monkeypatch.setattr(background, "refresh_due", slow_refresh)
    app = create_app(store, replace(SETTINGS, refresh=True))
    async with app.router.lifespan_context(app), open_client(app) as client:
        await asyncio.wait_for(started.wait(), timeout=10)
        response = await asyncio.wait_for(client.get("/"), timeout=10)
        assert response.status_code == 200
        release.set()


async def test_the_served_site_fetches_due_sources_by_itself(
    store: Store, server: FixtureServer
) -> None:
    server.route("/live.xml", body=FEED, headers={"Content-Type": "application/atom+xml"})
    with store.write() as connection:
        add_source(connection, kind="feed", url=server.url("/live.xml"), now=datetime.now(UTC))
    settings = replace(
        SETTINGS,
        refresh=True,
        refresh_every_seconds=0.05,
        fetch=FetchSettings(allow_private_addresses=True),
    )
    app = create_app(store, settings)
    async with app.router.lifespan_context(app), open_client(app) as client:
        for _ in range(200):
            page = await client.get("/")
            if "Fetched while serving" in page.text:
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the background refresh never saved the feed's entry")
    assert "Live Wire" in page.text
