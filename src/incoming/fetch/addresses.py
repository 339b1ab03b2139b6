"""Which IP addresses a feed may make us connect to: only public ones, unless allowed.

A feed URL is hostile input; without this check a subscription could make the server reach
its own admin ports, the cloud metadata service or the LAN (server-side request forgery).
"""

from __future__ import annotations

import ipaddress

from incoming.errors import BlockedAddressError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOW_HINT = "set INCOMING_ALLOW_PRIVATE_ADDRESSES=1 to allow"

# RFC 6598 shared address space: not "private" to the stdlib, yet inside a carrier's network.
_CARRIER_GRADE_NAT = ipaddress.IPv4Network("100.64.0.0/10")
# RFC 6052 NAT64 well-known prefix: the last 32 bits are an IPv4 address the gateway reaches.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _translated_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address actually reached through an IPv4-mapped or NAT64 address."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _tunnel_endpoints(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 endpoints of a 6to4 or Teredo address, which a tunnel would also reach."""
    endpoints = [address.sixtofour] if address.sixtofour is not None else []
    if address.teredo is not None:
        endpoints.extend(address.teredo)
    return endpoints


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` must not be fetched from ("a loopback address"...), or None if public."""
    if isinstance(address, ipaddress.IPv6Address):
        translated = _translated_ipv4(address)
        if translated is not None:
            return blocked_reason(translated)
        for endpoint in _tunnel_endpoints(address):
            reason = blocked_reason(endpoint)
            if reason is not None:
                return reason
        if address.is_site_local:
            return "a site-local address"
    checks = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in _CARRIER_GRADE_NAT, "a carrier-grade NAT address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global, "a non-public address"),
    )
    return next((reason for blocked, reason in checks if blocked), None)


def check_address(address: str) -> IPAddress:
    """Parse `address` and return it if public; raise BlockedAddressError naming why not."""
    parsed = ipaddress.ip_address(address.split("%", 1)[0])
    reason = blocked_reason(parsed)
    if reason is not None:
        raise BlockedAddressError(f"{parsed} is {reason} ({ALLOW_HINT})")
    return parsed
