"""Dates as pages show them: machine-readable, absolute UTC, and relative to now.

The page script rewrites these into the reader's time zone; these forms are what readers
without JavaScript (and feed readers, and search engines) get.
"""

from __future__ import annotations

from datetime import UTC, datetime

_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def machine_time(moment: datetime) -> str:
    """For `<time datetime>` and feeds: RFC 3339 in UTC with a Z."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def absolute_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def relative_time(moment: datetime, now: datetime) -> str:
    """ "3 hours ago", "in 2 days", "just now": the largest whole unit, rounded down."""
    seconds = (now - moment).total_seconds()
    size = abs(seconds)
    for unit, unit_seconds in _UNITS:
        if size >= unit_seconds:
            count = int(size // unit_seconds)
            phrase = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"{phrase} ago" if seconds > 0 else f"in {phrase}"
    return "just now"
