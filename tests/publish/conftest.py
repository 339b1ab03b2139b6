from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from incoming.store.engine import Store
from tests.publish.support import Seeded, seed, site_client


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed(store)


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with site_client(store) as running:
        yield running
