"""Ports on 127.0.0.1 for servers that tests start in other processes."""

from __future__ import annotations

import socket
import time


def free_port() -> int:
    """A port nobody listens on right now (a race, but a short one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    """Until something accepts connections on the port; an AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.1)
