"""When to check a source next: pure arithmetic, no I/O, so it is easy to reason about and test.

Success waits the longest of the configured interval and what the feed asked for (RSS ttl,
Cache-Control max-age), failure backs off exponentially, and a server's Retry-After is always
honoured. Each source is shifted by a stable ±10% derived from its key, so ten thousand sources
added together do not all come due in the same second.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

MAX_INTERVAL = timedelta(days=1)
"""No source waits longer than this (or its own interval, if longer) between checks."""
MAX_RETRY_AFTER = timedelta(days=7)
"""Retry-After is honoured up to this; beyond it a hostile or broken server is not believed."""
SPREAD = 0.1


def spread_factor(spread_key: str) -> float:
    """A factor in [0.9, 1.1) fixed by `spread_key` (stable across runs, unlike hash())."""
    digest = hashlib.blake2b(spread_key.encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest) / 2**64
    return 1 - SPREAD + 2 * SPREAD * fraction


def _honoured_retry_after(retry_after: float | None) -> timedelta:
    if retry_after is None or retry_after <= 0:
        return timedelta(0)
    return min(timedelta(seconds=retry_after), MAX_RETRY_AFTER)


def retry_delay(
    *, interval: timedelta, error_count: int, retry_after: float | None = None
) -> timedelta:
    """Wait after `error_count` failures in a row: interval, 2×, 4×… up to a day; ≥ retry_after."""
    if interval <= timedelta(0) or error_count < 1:
        raise ValueError("retry_delay needs a positive interval and error_count >= 1")
    cap = max(interval, MAX_INTERVAL).total_seconds()
    backoff = min(interval.total_seconds() * 2.0 ** min(error_count - 1, 64), cap)
    return max(timedelta(seconds=backoff), _honoured_retry_after(retry_after))


def next_check(
    now: datetime,
    *,
    interval: timedelta,
    error_count: int,
    retry_after: float | None,
    ttl_seconds: int | None,
    max_age: int | None,
    spread_key: str,
) -> datetime:
    """When to check a source again, given how the last check went (error_count 0: success)."""
    if interval <= timedelta(0) or error_count < 0:
        raise ValueError("next_check needs a positive interval and error_count >= 0")
    if error_count:
        delay = retry_delay(interval=interval, error_count=error_count, retry_after=retry_after)
    else:
        asked = max(interval.total_seconds(), ttl_seconds or 0, max_age or 0)
        delay = timedelta(seconds=min(asked, max(interval, MAX_INTERVAL).total_seconds()))
    return now + max(delay * spread_factor(spread_key), _honoured_retry_after(retry_after))


def next_check_after_success(
    now: datetime,
    *,
    interval_seconds: int,
    spread_key: str,
    ttl_seconds: int | None = None,
    max_age: int | None = None,
) -> datetime:
    """`next_check` for a check that worked: the interval, or the source's longer hints."""
    return next_check(
        now,
        interval=timedelta(seconds=interval_seconds),
        error_count=0,
        retry_after=None,
        ttl_seconds=ttl_seconds,
        max_age=max_age,
        spread_key=spread_key,
    )
