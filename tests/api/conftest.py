from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from incoming.store.engine import Store
from tests.api.support import Seeded, make_app, open_client, seed


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with open_client(make_app(store)) as running:
        yield running
