"""The state of a running site: what the store looks like now, and what is rendered for it.

Every page depends on the store's change marker. The marker is read at most once per
`marker_ttl_seconds`; while it stays the same, rendered pages, article counts and validators
are reused. Highlighted article bodies are kept by (article id, updated) and so outlive it;
so do related articles, for up to RELATED_MAX_AGE (a new article may relate to an old one).
Search pages have a cache of their own: readers' queries are endless, and must not push the
lists out of theirs.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from weakref import WeakValueDictionary

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from incoming.clean import highlight_code_blocks
from incoming.index import related_articles
from incoming.publish.assets import Assets
from incoming.publish.data import SEARCH_MAX_CHARS
from incoming.publish.http import ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL, Rendered
from incoming.publish.outline import Outlined, outline
from incoming.publish.settings import SiteSettings
from incoming.publish.templating import environment
from incoming.store.articles import Article
from incoming.store.engine import Store
from incoming.store.queries import ChangeMarker, Scope, change_marker, count_in

PAGE_MAX_AGE = 60.0
COUNTED_SCOPES = 4096
RELATED_LISTS = 20_000  # articles whose related articles are kept
RELATED_MAX_AGE = 3600  # seconds
RELATED_LIMIT = 5
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A thread-safe least-recently-used map (pages render in worker threads), bounded by the
    total weight of its values: a count by default, bytes for rendered pages."""

    def __init__(self, capacity: int, weigh: Callable[[V], int] = lambda _value: 1) -> None:
        self.capacity = capacity
        self.weigh = weigh
        self.weight = 0
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.weight -= self.weigh(previous)
            self._items[key] = value
            self.weight += self.weigh(value)
            while self.weight > self.capacity and len(self._items) > 1:
                self.weight -= self.weigh(self._items.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.weight = 0


@dataclass(frozen=True, slots=True)
class Stamp:
    """What a page rendered now carries: its validators, and the time relative dates count from."""

    token: str
    etag: str
    last_modified: datetime
    now: datetime


Build = Callable[[Connection, Stamp], Rendered | None]
PageCache = LRU[tuple[str, Hashable], Rendered]  # by (store state, page key)


def _expired(page: Rendered, max_age: float | None) -> bool:
    return max_age is not None and time.monotonic() - page.created > max_age


class Site:
    def __init__(self, store: Store, settings: SiteSettings) -> None:
        self.store = store
        self.settings = settings
        self.assets = Assets(settings.light_code_style, settings.dark_code_style)
        started = datetime.now(UTC)
        self.static = {
            name: Rendered(
                asset.body,
                asset.media_type,
                f'"{asset.digest}"',
                started,
                ASSET_CACHE_CONTROL,
                compressible=asset.compressible,
            )
            for name, asset in self.assets.by_name.items()
        }
        # A page is kept with up to two compressed copies: count it at twice its size.
        self.pages: PageCache = LRU(settings.page_cache_bytes, lambda page: 2 * len(page.body))
        # A search page is keyed by its query: count the longest one with it.
        self.searches: PageCache = LRU(
            settings.search_cache_bytes, lambda page: 2 * len(page.body) + 4 * SEARCH_MAX_CHARS
        )
        self.bodies: LRU[tuple[int, datetime], Outlined] = LRU(
            settings.content_cache_bytes, lambda body: len(body.html)
        )
        self.counts: LRU[tuple[str, Scope], int] = LRU(COUNTED_SCOPES)
        self.related_lists: LRU[tuple[int, datetime, int], list[tuple[int, str]]] = LRU(
            RELATED_LISTS
        )
        # A lock per page being built, dropped with the last request holding it.
        self._building: WeakValueDictionary[tuple[str, Hashable], asyncio.Lock] = (
            WeakValueDictionary()
        )
        self._stamp: Stamp | None = None
        self._stamp_read_at = 0.0
        self._marker_lock = asyncio.Lock()

    async def stamp(self) -> Stamp:
        """The stamp of the store's current state; the marker is read again after the TTL."""
        if self._stale():
            async with self._marker_lock:
                if self._stale():
                    fresh = self._stamp_of(await run_in_threadpool(self._read_marker))
                    if self._stamp is None or fresh.token != self._stamp.token:
                        self.pages.clear()
                        self.searches.clear()
                        self.counts.clear()
                    self._stamp, self._stamp_read_at = fresh, time.monotonic()
        assert self._stamp is not None
        return self._stamp

    def _stale(self) -> bool:
        age = time.monotonic() - self._stamp_read_at
        return self._stamp is None or age >= self.settings.marker_ttl_seconds

    def _read_marker(self) -> ChangeMarker:
        with self.store.read() as connection:
            return change_marker(connection)

    def _stamp_of(self, marker: ChangeMarker) -> Stamp:
        digest = hashlib.blake2b(
            f"{marker.token}|{self.assets.version}".encode(), digest_size=10
        ).hexdigest()
        return Stamp(marker.token, f'W/"{digest}"', marker.modified, datetime.now(UTC))

    async def rendered(
        self,
        key: Hashable,
        build: Build,
        *,
        cache: PageCache | None = None,
        max_age: float | None = PAGE_MAX_AGE,
    ) -> Rendered:
        """The page for `key` in the store's current state, built on a miss; 404 if None.

        It is kept in `cache` (the page cache unless told). A page is also rebuilt after
        `max_age` seconds, so that its relative dates ("3 hours ago", for readers without
        JavaScript) do not go stale on a quiet site; pages without any (feeds) pass None.
        Requests for a page being built wait for it rather than build it again.
        """
        cache = self.pages if cache is None else cache
        stamp = await self.stamp()
        cache_key = (stamp.token, key)
        found = cache.get(cache_key)
        if found is not None and not _expired(found, max_age):
            return found
        building = self._building.setdefault(cache_key, asyncio.Lock())
        async with building:
            found = cache.get(cache_key)
            if found is None or _expired(found, max_age):
                stamp = replace(stamp, now=datetime.now(UTC))
                found = await run_in_threadpool(self._build, build, stamp)
                if found is None:
                    raise HTTPException(404)
                cache.put(cache_key, found)
        return found

    def variant(
        self, key: Hashable, page: Rendered, name: str, make: Callable[[Rendered, str], Rendered]
    ) -> Rendered:
        """`make(page, name)` for the page of `key`, kept beside it: a feed for one origin is
        made from the feed written once, by a string replacement instead of a rendering."""
        variant_key = (page.etag, ("variant", key, page.created, name))
        found = self.pages.get(variant_key)
        if found is None:
            found = make(page, name)
            self.pages.put(variant_key, found)
        return found

    def _build(self, build: Build, stamp: Stamp) -> Rendered | None:
        with self.store.read() as connection:
            return build(connection, stamp)

    def count(self, connection: Connection, scope: Scope) -> int:
        """Articles in a scope, counted once per store state (a full index scan at 1M rows)."""
        key = (self._stamp.token if self._stamp else "", scope)
        found = self.counts.get(key)
        if found is None:
            found = count_in(connection, scope)
            self.counts.put(key, found)
        return found

    def related(self, connection: Connection, article: Article) -> list[tuple[int, str]]:
        """(id, title) of the articles related to this one: looking them up reads the index
        for each of its keywords, so it is done once per article change, or per hour."""
        key = (article.id, article.updated, int(time.time() // RELATED_MAX_AGE))
        found = self.related_lists.get(key)
        if found is None:
            found = related_articles(connection, article.id, limit=RELATED_LIMIT)
            self.related_lists.put(key, found)
        return found

    def body(self, article: Article) -> Outlined:
        """The article's content as shown: code highlighted, headings anchored."""
        key = (article.id, article.updated)
        found = self.bodies.get(key)
        if found is None:
            found = outline(highlight_code_blocks(article.content_html))
            self.bodies.put(key, found)
        return found

    def html(
        self,
        template: str,
        stamp: Stamp,
        *,
        cache_control: str = PAGE_CACHE_CONTROL,
        canonical_path: str | None = None,
        **context: Any,
    ) -> Rendered:
        body = environment.get_template(template).render(
            site=self.settings, assets=self.assets, now=stamp.now, **context
        )
        return Rendered(
            body.encode(),
            "text/html; charset=utf-8",
            stamp.etag,
            stamp.last_modified,
            cache_control,
            canonical_path,
        )
