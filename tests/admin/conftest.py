from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from httpx import AsyncClient

from incoming.store import accounts
from incoming.store.engine import Store
from tests.admin.support import CHEAP_HASHER, CHEAP_SETTINGS, PASSWORD
from tests.api.support import make_app, open_client


@pytest.fixture
def admin_store(store: Store) -> Store:
    with store.write() as connection:
        accounts.set_password_hash(connection, CHEAP_HASHER.hash(PASSWORD), now=datetime.now(UTC))
    return store


@pytest.fixture
async def browser(admin_store: Store) -> AsyncIterator[AsyncClient]:
    async with open_client(make_app(admin_store, CHEAP_SETTINGS)) as client:
        yield client
