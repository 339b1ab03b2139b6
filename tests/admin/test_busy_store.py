"""Logging in while a large OPML import runs: the login gets in between the import's batches
instead of waiting for the whole list (which, past SQLite's busy timeout, answered 503)."""

from __future__ import annotations

import asyncio

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select

from incoming.sources import service
from incoming.store.engine import Store
from incoming.store.schema import sources
from tests.admin.support import log_in
from tests.sources.feeds import opml

LARGE = 5_000

pytestmark = pytest.mark.anyio


def _count(store: Store) -> int:
    with store.read() as connection:
        return connection.execute(select(func.count()).select_from(sources)).scalar_one()


async def test_a_login_during_a_large_import_gets_in(
    browser: AsyncClient, admin_store: Store
) -> None:
    importing = asyncio.ensure_future(
        asyncio.to_thread(service.import_opml, admin_store, opml(LARGE))
    )
    for _ in range(3000):
        if _count(admin_store):
            break
        await asyncio.sleep(0.005)
    answer = await log_in(browser)
    stored_then = _count(admin_store)
    report = await importing
    assert answer.status_code == 303
    assert stored_then < LARGE, "the login waited for the whole import"
    assert len(report.added) == LARGE
