"""An httpcore network backend that connects only to addresses it has itself resolved and vetted.

Checking a host name before the request and letting the HTTP client resolve it again would
leave a window for DNS rebinding (public address at check time, 127.0.0.1 at connect time).
Here resolution, vetting and connecting happen in one place, on one list of addresses. TLS is
unaffected: httpcore still starts TLS with the URL's host name for SNI and certificate checks.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence

import anyio
import httpcore

from incoming.errors import BlockedAddressError
from incoming.fetch.addresses import ALLOW_HINT, check_address

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]
"""Turns (host name, port) into IP address strings; tests substitute their own."""


LOOPBACK = ("127.0.0.1", "::1")


async def system_resolver(host: str, port: int) -> list[str]:
    """Addresses of `host` from the operating system's resolver, in its preferred order.

    `localhost` and names under it are loopback without asking (RFC 6761, section 6.3), as
    resolvers often do and glibc does not; they are refused like any loopback address unless
    private addresses are allowed.
    """
    if host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost"):
        return list(LOOPBACK)
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for *_, sockaddr in infos))


class VettingBackend(httpcore.AsyncNetworkBackend):
    """Resolve, refuse non-public addresses (unless allowed), then connect to a vetted one."""

    def __init__(
        self,
        *,
        allow_private: bool,
        allowed_networks: Iterable[str] = (),
        resolver: Resolver = system_resolver,
    ) -> None:
        self._allow_private = allow_private
        self._allowed_networks = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]
        self._resolver = resolver
        self._connector = httpcore.AnyIOBackend()

    async def _resolve(self, host: str, port: int, timeout: float | None) -> Sequence[str]:
        """The addresses to try for `host` (an IP literal is its own), as httpcore errors."""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return [host]
        try:
            with anyio.fail_after(timeout):
                addresses = await self._resolver(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} took over {timeout:g} s") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port, timeout)
        if not self._allow_private:
            # Any refused address refuses the host: a name that also points inward is suspect.
            # The message names the host only: what an inside name resolves to stays inside.
            try:
                addresses = [
                    address if self._is_allowed(address) else str(check_address(address))
                    for address in addresses
                ]
            except BlockedAddressError:
                raise BlockedAddressError(
                    f"{host} is not a public address ({ALLOW_HINT})"
                ) from None
        connect = functools.partial(
            self._connector.connect_tcp,
            port=port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )
        *fallbacks, last = addresses
        for address in fallbacks:  # try each address in the resolver's order
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return await connect(address)
        return await connect(last)

    def _is_allowed(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in self._allowed_networks)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("Unix sockets are never fetched from")

    async def sleep(self, seconds: float) -> None:
        await self._connector.sleep(seconds)
