"""The fetcher against a real HTTP server: answers, validators, encodings, redirects, limits."""

from __future__ import annotations

import asyncio
import re
import socket
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from incoming.errors import FetchError
from incoming.fetch import Fetcher, FetchSettings
from tests.fetch.helpers import LOCAL, fetch, fetch_all, to_loopback
from tests.support.server import FixtureServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
SMALL_CAP = FetchSettings(allow_private_addresses=True, max_body_bytes=1000)


def test_plain_200_gives_body_and_metadata(server: FixtureServer) -> None:
    server.route(
        "/feed.xml",
        body=FEED,
        headers=RSS | {"Cache-Control": "public, max-age=900"},
        etag='"v1"',
        last_modified=LAST_MODIFIED,
    )
    result = fetch(server.url("/feed.xml"))
    assert result.status == 200
    assert result.body == FEED
    assert result.url == server.url("/feed.xml")
    assert result.content_type == RSS["Content-Type"]
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert result.permanent_url is None
    assert result.max_age == 900


def test_request_is_polite_and_names_itself(server: FixtureServer) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS)
    fetch(server.url("/feed.xml"))
    [request] = server.requests
    assert re.fullmatch(
        r"Incoming/\S+ \(\+\S+; self-hosted ML reading hub\)", request.headers["user-agent"]
    )
    assert request.headers["accept-encoding"] == "gzip, deflate, br"
    assert request.headers["accept"].startswith("application/atom+xml, application/rss+xml")
    assert "if-none-match" not in request.headers
    assert "if-modified-since" not in request.headers


@pytest.mark.parametrize(
    ("validators", "sent_header"),
    [
        ({"etag": '"v1"'}, "if-none-match"),
        ({"last_modified": LAST_MODIFIED}, "if-modified-since"),
    ],
)
def test_validators_give_304_without_body(
    server: FixtureServer, validators: dict[str, str], sent_header: str
) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS, etag='"v1"', last_modified=LAST_MODIFIED)
    result = fetch(server.url("/feed.xml"), **validators)
    assert (result.status, result.body) == (304, b"")
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert server.requests[-1].headers[sent_header] == next(iter(validators.values()))


def test_304_without_validators_keeps_the_ones_sent(server: FixtureServer) -> None:
    server.route("/feed.xml", status=304)
    result = fetch(server.url("/feed.xml"), etag='"v1"', last_modified=LAST_MODIFIED)
    assert (result.status, result.etag, result.last_modified) == (304, '"v1"', LAST_MODIFIED)


def test_changed_feed_gives_200_despite_old_validator(server: FixtureServer) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS, etag='"v1"')
    assert fetch(server.url("/feed.xml"), etag='"v1"').status == 304
    server.route("/feed.xml", body=FEED + b"<!-- new -->", headers=RSS, etag='"v2"')
    result = fetch(server.url("/feed.xml"), etag='"v1"')
    assert (result.status, result.etag) == (200, '"v2"')
    assert result.body.endswith(b"<!-- new -->")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_bodies_are_decoded(server: FixtureServer, encoding: str) -> None:
    body = FEED * 200
    server.route("/feed.xml", body=body, headers=RSS, encoding=encoding)
    assert fetch(server.url("/feed.xml")).body == body


def test_raw_deflate_without_zlib_wrapper_is_decoded(server: FixtureServer) -> None:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = compressor.compress(FEED) + compressor.flush()
    server.route("/feed.xml", body=raw, headers=RSS | {"Content-Encoding": "deflate"})
    assert fetch(server.url("/feed.xml")).body == FEED


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_each_redirect_kind_is_followed(server: FixtureServer, status: int) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS)
    server.redirect("/old", "/feed.xml", status=status)
    result = fetch(server.url("/old"))
    assert (result.status, result.body, result.url) == (200, FEED, server.url("/feed.xml"))
    expected_permanent = server.url("/feed.xml") if status in (301, 308) else None
    assert result.permanent_url == expected_permanent


@pytest.mark.parametrize(
    ("first", "second", "permanent"),
    [(301, 308, True), (308, 301, True), (301, 302, False), (307, 301, False)],
)
def test_permanent_url_only_when_every_hop_is_permanent(
    server: FixtureServer, first: int, second: int, permanent: bool
) -> None:
    server.route("/feed.xml", body=FEED, headers=RSS)
    server.redirect("/a", server.url("/b"), status=first)  # absolute Location
    server.redirect("/b", "feed.xml", status=second)  # relative Location
    result = fetch(server.url("/a"))
    assert result.url == server.url("/feed.xml")
    assert result.permanent_url == (server.url("/feed.xml") if permanent else None)


def test_redirect_loop_is_detected(server: FixtureServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(FetchError, match=r"^http://127\.0\.0\.1:\d+/a: redirect loop"):
        fetch(server.url("/a"))
    assert len(server.requests) == 2


def test_too_many_redirects(server: FixtureServer) -> None:
    for hop in range(7):
        server.redirect(f"/{hop}", f"/{hop + 1}", status=301)
    server.route("/7", body=FEED)
    settings = FetchSettings(allow_private_addresses=True, max_redirects=5)
    with pytest.raises(FetchError, match=r"/0: more than 5 redirects$"):
        fetch(server.url("/0"), settings)
    assert len(server.requests) == 6
    assert fetch(server.url("/2"), settings).body == FEED  # exactly five is fine


def test_redirect_without_location(server: FixtureServer) -> None:
    server.route("/a", status=302)
    with pytest.raises(FetchError, match=r"/a: HTTP 302 redirect without a Location$"):
        fetch(server.url("/a"))


def test_redirect_to_another_scheme_is_refused(server: FixtureServer) -> None:
    server.redirect("/a", "file:///etc/passwd")
    with pytest.raises(FetchError, match=r"redirect to file:///etc/passwd: only http and https"):
        fetch(server.url("/a"))


def test_honest_content_length_over_cap_is_refused_up_front(server: FixtureServer) -> None:
    server.route("/big", body=b"x" * 2000)
    with pytest.raises(FetchError, match=r"/big: body larger than 1000 bytes$") as caught:
        fetch(server.url("/big"), SMALL_CAP)
    assert caught.value.status == 200


def test_huge_claimed_length_fails_fast(server: FixtureServer) -> None:
    server.route("/claims", body=b"tiny", content_length=10**12)
    started = time.monotonic()
    with pytest.raises(FetchError, match="body larger than 10 MB"):
        fetch(server.url("/claims"))
    assert time.monotonic() - started < 2


def test_understated_content_length_reads_no_further(server: FixtureServer) -> None:
    server.route("/lies", body=b"a" * 100 + b"b" * 5_000_000, content_length=100)
    assert fetch(server.url("/lies"), SMALL_CAP).body == b"a" * 100


@pytest.mark.parametrize(
    "route",
    [
        {"body": b"x" * 5000, "close_delimited": True},
        {"endless": True},
    ],
    ids=["no-length-until-close", "endless-chunks"],
)
def test_unannounced_large_bodies_are_cut_at_the_cap(server: FixtureServer, route: dict) -> None:
    server.route("/big", **route)
    with pytest.raises(FetchError, match=r"/big: body larger than 1000 bytes$"):
        fetch(server.url("/big"), SMALL_CAP)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compression_bomb_is_stopped(server: FixtureServer, encoding: str) -> None:
    server.route("/bomb", body=bytes(30 * 1024 * 1024), encoding=encoding)  # a few KB sent
    with pytest.raises(FetchError, match=r"/bomb: body larger than 10 MB$"):
        fetch(server.url("/bomb"))


def test_total_deadline_stops_a_dripping_server(server: FixtureServer) -> None:
    server.route("/drip", body=FEED * 10, drip=0.05)  # each byte well within read_timeout
    settings = FetchSettings(allow_private_addresses=True, read_timeout=5, total_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"/drip: gave up after 0\.5 s in total$"):
        fetch(server.url("/drip"), settings)
    assert time.monotonic() - started < 2


def test_read_timeout(server: FixtureServer) -> None:
    server.route("/slow", body=FEED, delay=3)
    settings = FetchSettings(allow_private_addresses=True, read_timeout=0.2)
    with pytest.raises(FetchError, match=r"/slow: timed out waiting for data"):
        fetch(server.url("/slow"), settings)


def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=rf"^http://127\.0\.0\.1:{port}/: cannot connect"):
        fetch(f"http://127.0.0.1:{port}/")


def test_next_address_is_tried_when_one_refuses(server: FixtureServer) -> None:
    async def nobody_on_ipv6(host: str, port: int) -> list[str]:
        return ["::1", "127.0.0.1"]  # the server listens on 127.0.0.1 only

    server.route("/feed.xml", body=FEED)
    url = server.url("/feed.xml", host="dual.test")
    assert fetch(url, resolver=nobody_on_ipv6).body == FEED


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (socket.gaierror(-2, "Name or service not known"), "Name or service not known"),
        ([], "no addresses"),
    ],
)
def test_unresolvable_host(answer: object, problem: str) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        if isinstance(answer, Exception):
            raise answer
        return answer

    expected = (
        rf"^http://nowhere\.test/: cannot connect \(cannot resolve nowhere\.test: .*{problem}"
    )
    with pytest.raises(FetchError, match=expected):
        fetch("http://nowhere.test/", resolver=resolver)


@pytest.mark.parametrize(
    ("status", "message"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_error_statuses_name_url_and_status(
    server: FixtureServer, status: int, message: str
) -> None:
    server.route("/feed.xml", status=status, body=b"<html>oops</html>")
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/feed.xml"))
    assert str(caught.value) == f"{server.url('/feed.xml')}: {message}"
    assert (caught.value.status, caught.value.retry_after) == (status, None)


def test_retry_after_in_seconds(server: FixtureServer) -> None:
    server.route("/feed.xml", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FetchError, match="HTTP 429 Too Many Requests") as caught:
        fetch(server.url("/feed.xml"))
    assert caught.value.retry_after == 120.0


def test_retry_after_as_http_date(server: FixtureServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=10), usegmt=True)
    server.route("/feed.xml", status=503, headers={"Retry-After": later})
    with pytest.raises(FetchError, match="HTTP 503 Service Unavailable") as caught:
        fetch(server.url("/feed.xml"))
    assert caught.value.retry_after == pytest.approx(600, abs=5)


def test_per_host_limit_holds_with_many_concurrent_fetches(server: FixtureServer) -> None:
    hosts = ["127.0.0.1", "a.test", "b.test"]
    urls = []
    for n in range(51):
        server.route(f"/feed{n}.xml", body=FEED, delay=0.03)
        urls.append(server.url(f"/feed{n}.xml", host=hosts[n % 3]))
    results = fetch_all(urls, resolver=to_loopback)
    assert all(getattr(result, "status", None) == 200 for result in results)
    assert [server.max_concurrent(host) for host in hosts] == [2, 2, 2]
    assert server.max_concurrent() > 2  # different hosts do run side by side


def test_global_connection_limit(server: FixtureServer) -> None:
    settings = FetchSettings(allow_private_addresses=True, max_connections=3, max_per_host=10)
    urls = []
    for n in range(30):
        server.route(f"/feed{n}.xml", body=FEED, delay=0.02)
        urls.append(server.url(f"/feed{n}.xml", host=f"h{n % 5}.test"))
    results = fetch_all(urls, settings, resolver=to_loopback)
    assert all(getattr(result, "status", None) == 200 for result in results)
    assert server.max_concurrent() == 3


def test_hundreds_of_feeds_at_once(server: FixtureServer) -> None:
    settings = FetchSettings(allow_private_addresses=True, max_per_host=64)
    for n in range(200):
        server.route(f"/feed{n}.xml", body=FEED + str(n).encode(), headers=RSS)
    urls = [server.url(f"/feed{n}.xml") for n in range(200)]
    results = fetch_all(urls, settings)
    assert [result.body for result in results] == [FEED + str(n).encode() for n in range(200)]
    assert server.max_concurrent() <= LOCAL.max_connections


def test_fetch_outside_context_manager_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher().fetch("http://127.0.0.1/"))
