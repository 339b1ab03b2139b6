"""What the fetcher may connect to: public addresses only (by default), http(s), no credentials."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from incoming.errors import BlockedAddressError, FetchError
from incoming.fetch import FetchSettings, network
from incoming.fetch.addresses import blocked_reason, check_address
from tests.fetch.helpers import LOCAL, fetch, to_loopback
from tests.support.server import FixtureServer

DEFAULT = FetchSettings()
HINT = "(set INCOMING_ALLOW_PRIVATE_ADDRESSES=1 to allow)"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.1", "a private address"),
        ("172.31.255.255", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata service
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "a carrier-grade NAT address"),
        ("100.127.255.255", "a carrier-grade NAT address"),
        ("240.0.0.1", "a private address"),  # reserved for future use
        ("192.0.2.1", "a private address"),  # documentation
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("fc00::1", "a private address"),
        ("fd12:3456::1", "a private address"),
        ("fec0::1", "a site-local address"),
        ("ff02::1", "a multicast address"),
        ("2001:db8::1", "a private address"),  # documentation
        ("::ffff:127.0.0.1", "a loopback address"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "a private address"),
        ("::ffff:169.254.169.254", "a link-local address"),
        ("::127.0.0.1", "a reserved address"),  # IPv4-compatible (deprecated)
        ("2002:7f00:1::", "a loopback address"),  # 6to4 around 127.0.0.1
        ("2002:c0a8:101::1", "a private address"),  # 6to4 around 192.168.1.1
        ("64:ff9b::7f00:1", "a loopback address"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", "a private address"),  # NAT64 of 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a private address"),  # Teredo
    ],
)
def test_non_public_addresses_are_refused(address: str, reason: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address.split("%")[0])) == reason
    with pytest.raises(BlockedAddressError, match=f"is {reason} \\(set INCOMING_ALLOW"):
        check_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.215.14",
        "100.63.255.255",  # just below the carrier-grade NAT range
        "100.128.0.0",  # just above it
        "172.32.0.1",  # just above 172.16.0.0/12
        "2606:4700:4700::1111",
        "2001:4860:4860::8888",
        "::ffff:8.8.8.8",  # IPv4-mapped public address
        "64:ff9b::808:808",  # NAT64 of a public address
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None
    assert check_address(address) == ipaddress.ip_address(address)


def test_default_settings_refuse_loopback(server: FixtureServer) -> None:
    server.route("/feed.xml", body=b"<rss/>")
    with pytest.raises(BlockedAddressError) as caught:
        fetch(server.url("/feed.xml"), DEFAULT)
    assert str(caught.value) == (
        f"{server.url('/feed.xml')}: 127.0.0.1 is not a public address {HINT}"
    )
    assert server.requests == []  # refused before connecting


@pytest.mark.parametrize("host", ["localhost", "[::1]", "127.1", "0.0.0.0", "[::ffff:7f00:1]"])
def test_default_settings_refuse_other_spellings_of_this_machine(host: str) -> None:
    with pytest.raises(BlockedAddressError, match=r"is not a public address"):
        fetch(f"http://{host}:9/feed.xml", DEFAULT)


def test_names_are_checked_after_resolution(server: FixtureServer) -> None:
    server.route("/feed.xml", body=b"<rss/>")
    url = server.url("/feed.xml", host="feeds.example.test")
    with pytest.raises(BlockedAddressError) as caught:
        fetch(url, DEFAULT, resolver=to_loopback)
    # The name only: what an inside name resolves to is not told.
    assert str(caught.value) == f"{url}: feeds.example.test is not a public address {HINT}"
    assert server.requests == []


def test_connection_goes_to_the_resolved_address_under_the_host_name(
    server: FixtureServer,
) -> None:
    server.route("/feed.xml", body=b"<rss/>")
    result = fetch(server.url("/feed.xml", host="feeds.test"), LOCAL, resolver=to_loopback)
    assert result.body == b"<rss/>"
    assert server.requests[0].host == "feeds.test"


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("http://127.0.0.2:{port}/feed.xml", "127.0.0.2 is not a public address"),
        ("http://[::1]:{port}/feed.xml", "::1 is not a public address"),
        ("http://0.0.0.0:{port}/feed.xml", "0.0.0.0 is not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address"),
    ],
)
def test_every_redirect_hop_is_checked(
    server: FixtureServer, monkeypatch: pytest.MonkeyPatch, target: str, refused: str
) -> None:
    def treat_test_server_as_public(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        if address == "127.0.0.1":
            return ipaddress.ip_address(address)
        return check_address(address)

    monkeypatch.setattr(network, "check_address", treat_test_server_as_public)
    location = target.format(port=server.port)
    server.redirect("/go", location)
    with pytest.raises(BlockedAddressError) as caught:
        fetch(server.url("/go"), DEFAULT)
    assert str(caught.value) == f"{server.url('/go')}: redirected to {location}: {refused} {HINT}"
    assert [request.path for request in server.requests] == ["/go"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://127.0.0.1/feed.xml", "only http and https URLs are fetched, not ftp"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file"),
        ("javascript:alert(1)", "only http and https URLs are fetched, not javascript"),
        ("feed.xml", "only http and https URLs are fetched, not none"),
        ("http:///feed.xml", "the URL has no host"),
        ("http://[::1/feed.xml", "not a valid URL"),
    ],
)
def test_unfetchable_urls_are_refused(url: str, problem: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert str(caught.value).startswith(f"{url}: {problem}")


@pytest.mark.parametrize("userinfo", ["reader:s3cret", "api-token", "reader:"])
def test_urls_with_credentials_are_refused_without_showing_them(
    server: FixtureServer, userinfo: str
) -> None:
    with pytest.raises(FetchError) as caught:
        fetch(f"http://{userinfo}@127.0.0.1:{server.port}/feed.xml")
    assert str(caught.value) == (
        f"http://***@127.0.0.1:{server.port}/feed.xml: "
        "URLs with credentials (user:password@) are refused"
    )
    assert server.requests == []


def test_names_under_localhost_are_loopback_and_refused_by_default(
    server: FixtureServer,
) -> None:
    assert asyncio.run(network.system_resolver("Feed7.LOCALHOST.", 80)) == ["127.0.0.1", "::1"]
    server.route("/feed.xml", body=b"<rss/>")
    with pytest.raises(BlockedAddressError, match=r"feed7\.localhost is not a public address"):
        fetch(server.url("/feed.xml", host="feed7.localhost"), DEFAULT)
    assert server.requests == []
