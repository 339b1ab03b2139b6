"""Host header poisoning (issue 19.1) and huge entries in feeds out (issue 19.6)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import feedparser
import httpx
import pytest
from starlette.applications import Starlette

from incoming.errors import ConfigError
from incoming.parse import parse_feed
from incoming.publish import pages, server
from incoming.publish import site as site_module
from incoming.publish.hosts import HostPolicy, default_allowed_hosts
from incoming.publish.settings import SiteSettings
from incoming.store.engine import Store
from incoming.store.sources import add_source
from tests.publish.support import (
    BASE,
    SETTINGS,
    Seeded,
    entry,
    open_client,
    save_entries,
    site_client,
)
from tests.support.browser import live_site

pytestmark = pytest.mark.anyio
EVIL = "evil.example"
WAERFA = "feeds/zh/rssant/feedlib/testdata/parser/warn/https-www-waerfa-com-feed.xml"


async def test_a_forged_host_is_refused_and_never_reaches_the_feed(
    store: Store, seeded: Seeded
) -> None:
    """The attack of issue 19.1: a feed asked for with a forged Host, then by a reader."""
    async with site_client(store, replace(SETTINGS, marker_ttl_seconds=600)) as client:
        forged = await client.get("/feed.atom", headers={"Host": EVIL})
        real = await client.get("/feed.atom")
        revalidated = await client.get(
            "/feed.atom", headers={"If-None-Match": real.headers["etag"]}
        )
    assert forged.status_code == 400
    assert b"base_url" in forged.content
    assert b"INCOMING_ALLOWED_HOSTS" in forged.content
    assert forged.headers["cache-control"] == "no-store"
    assert real.status_code == 200
    assert EVIL.encode() not in real.content
    assert revalidated.status_code == 304
    assert EVIL not in str(revalidated.headers)


async def test_the_base_url_decides_every_absolute_url_whatever_the_host(
    store: Store, seeded: Seeded
) -> None:
    settings = replace(
        SETTINGS, allowed_hosts=("testserver", EVIL), base_url="https://hub.example.org"
    )
    async with site_client(store, settings) as client:
        forged = await client.get("/feed.json", headers={"Host": EVIL})
        real = await client.get("/feed.json")
        own = await client.get("/feed.json", headers={"Host": "hub.example.org"})
    assert forged.status_code == real.status_code == own.status_code == 200
    assert forged.content == real.content
    assert forged.headers["etag"] == real.headers["etag"]  # the output does not depend on Host
    assert EVIL.encode() not in forged.content
    assert json.loads(real.content)["feed_url"] == "https://hub.example.org/feed.json"


async def test_without_a_base_url_each_allowed_host_has_its_own_etag(
    store: Store, seeded: Seeded
) -> None:
    settings = replace(SETTINGS, allowed_hosts=("testserver", ".example.net"))
    async with site_client(store, settings) as client:
        one = await client.get("/feed.atom", headers={"Host": "a.example.net"})
        other = await client.get("/feed.atom", headers={"Host": "example.net:8080"})
        stale = await client.get(
            "/feed.atom", headers={"Host": "example.net:8080", "If-None-Match": one.headers["etag"]}
        )
    assert one.status_code == other.status_code == stale.status_code == 200
    assert one.headers["etag"] != other.headers["etag"]
    assert b"http://a.example.net/feed.atom" in one.content
    assert b"http://example.net:8080/feed.atom" in other.content
    assert b"a.example.net" not in stale.content


async def test_by_default_only_loopback_names_are_served(store: Store, seeded: Seeded) -> None:
    async with site_client(store, SiteSettings(refresh=False)) as client:
        answers = {
            host: (await client.get("/", headers={"Host": host})).status_code
            for host in ("localhost:8000", "127.0.0.1:9", "[::1]:8000", "testserver", EVIL)
        }
    assert answers == {
        "localhost:8000": 200,
        "127.0.0.1:9": 200,
        "[::1]:8000": 200,
        "testserver": 400,
        EVIL: 400,
    }


@pytest.mark.parametrize(
    "header", ["a b", "evil.example/x", 'x"><script>', "x:port", "ok.example:99999999", ""]
)
def test_malformed_hosts_are_refused_even_when_any_name_is_allowed(header: str) -> None:
    assert not HostPolicy(("*",), None).allows(header)
    assert HostPolicy(("*",), None).allows("any.example:443")


def test_the_default_names_add_the_bound_name_but_not_any_address() -> None:
    assert default_allowed_hosts("0.0.0.0") == ("localhost", "127.0.0.1", "[::1]")
    assert default_allowed_hosts("::") == ("localhost", "127.0.0.1", "[::1]")
    assert default_allowed_hosts("hub.lan")[-1] == "hub.lan"
    assert HostPolicy(default_allowed_hosts("fe80::1"), None).allows("[fe80::1]:8000")
    policy = HostPolicy((), "https://hub.example.org/")
    assert policy.allows("hub.example.org")
    assert policy.allows("localhost")
    assert not policy.allows("other.example.org")


@pytest.mark.parametrize(
    "changes",
    [
        {"allowed_hosts": ("bad host",)},
        {"base_url": "https://hub.example.org/?q=<x>"},
        {"base_url": "ftp://hub.example.org"},
        {"feed_content_bytes": 0},
    ],
)
def test_unusable_host_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        replace(SiteSettings(), **changes)


async def test_a_feed_is_written_once_whatever_the_host(
    store: Store, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19.6: 40 Hosts once made 40 renderings of a 25 MB feed. Here 8 Hosts ask at the
    same time on a cold cache, then again later: one rendering in all."""
    writer, media_type = pages.FEEDS["atom"]
    calls: list[int] = []

    def counted(*args: object) -> bytes:
        calls.append(1)
        return writer(*args)  # type: ignore[arg-type]

    monkeypatch.setitem(pages.FEEDS, "atom", (counted, media_type))
    monkeypatch.setattr(site_module, "PAGE_MAX_AGE", 0.0)  # an HTML page would be rebuilt
    settings = replace(SETTINGS, marker_ttl_seconds=600, allowed_hosts=(".example.net",))
    hosts = [f"h{n}.example.net" for n in range(8)]
    async with site_client(store, settings) as client:

        async def get(host: str) -> bytes:
            answer = await client.get("/feed.atom", headers={"Host": host})
            assert answer.status_code == 200
            return answer.content

        together = await asyncio.gather(*(get(host) for host in hosts))
        later = [await get(host) for host in hosts]
    assert len(calls) == 1
    assert together == later
    for host, body in zip(hosts, together, strict=True):
        assert f"http://{host}/a/".encode() in body
        assert all(other.encode() not in body for other in hosts if other != host)


async def test_a_huge_entry_carries_its_excerpt_and_a_link(store: Store, seeded: Seeded) -> None:
    huge = "".join(f"<p>paragraph {n}: {'gradient descent ' * 40}</p>" for n in range(600))
    save_entries(store, seeded.feed_source, [entry(99, title="Huge", html=huge)])
    async with site_client(store, replace(SETTINGS, feed_content_bytes=64 * 1024)) as client:
        atom = feedparser.parse((await client.get("/feed.atom")).content)
        document = json.loads((await client.get("/feed.json")).content)
    assert not atom.bozo
    first, rest = atom.entries[0], atom.entries[1:]
    assert first.title == "Huge"
    assert len(first.content[0].value) < 8 * 1024
    assert "Read the full article" in first.content[0].value
    assert f'href="{first.link}"' in first.content[0].value
    assert first.content[0].value.startswith(first.summary)
    assert all("Read the full article" not in item.content[0].value for item in rest)
    assert document["items"][0]["content_html"] == first.content[0].value


async def test_a_real_feed_keeps_its_small_entries_whole(store: Store, corpus: Path) -> None:
    parsed = parse_feed((corpus / WAERFA).read_bytes(), url="https://www.waerfa.com/feed")
    with store.write() as connection:
        source = add_source(connection, kind="feed", url="https://www.waerfa.com/feed", now=BASE)
    save_entries(store, source.id, list(parsed.entries))
    limit = 16 * 1024
    async with site_client(store, replace(SETTINGS, feed_content_bytes=limit)) as client:
        atom = feedparser.parse((await client.get("/feed.atom")).content)
        whole = json.loads((await client.get("/feed.json")).content)
    assert not atom.bozo
    cut = [e for e in atom.entries if "Read the full article" in e.content[0].value]
    kept = [e for e in atom.entries if e not in cut]
    assert cut
    assert kept
    assert all(len(e.content[0].value.encode()) <= limit for e in kept)
    assert all(len(e.content[0].value.encode()) < limit for e in cut)
    assert len(whole["items"]) == len(atom.entries)


def test_the_attack_through_a_real_server(store: Store, seeded: Seeded) -> None:
    """The same attack over real HTTP, as it was run: uvicorn on loopback, default settings."""
    settings = SiteSettings(refresh=False, marker_ttl_seconds=600)
    with live_site(store, settings) as url, httpx.Client(base_url=url, timeout=30) as http:
        forged = http.get("/feed.atom", headers={"Host": EVIL})
        real = http.get("/feed.atom")
        revalidated = http.get("/feed.atom", headers={"If-None-Match": real.headers["etag"]})
    assert forged.status_code == 400
    assert real.status_code == 200
    assert f"{url}/feed.atom".encode() in real.content
    assert EVIL.encode() not in real.content
    assert revalidated.status_code == 304


def test_serve_allows_the_name_it_binds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[Starlette] = []

    class Served:
        """uvicorn's Server, keeping the app (here its config) instead of serving it."""

        started = True

        def __init__(self, app: Starlette) -> None:
            served.append(app)

        def run(self) -> None:
            pass

    # No uvicorn Config either: making one would set this test process's logging up for good.
    monkeypatch.setattr(server, "_config", lambda app, *_args, **_options: app)
    monkeypatch.setattr(server.uvicorn, "Server", Served)
    url = f"sqlite:///{tmp_path / 'site.db'}"
    server.serve(url, host="hub.lan", port=8000, settings=SiteSettings(refresh=False))
    [app] = served

    async def statuses() -> list[int]:
        async with open_client(app) as client:
            return [
                (await client.get("/", headers={"Host": host})).status_code
                for host in ("hub.lan:8000", "localhost", EVIL)
            ]

    assert asyncio.run(statuses()) == [200, 200, 400]
