"""Reading response headers that servers get wrong: Retry-After, Cache-Control, Content-Length."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def _non_negative_int(text: str) -> int | None:
    """ASCII digits only (int() would also take "²" or "١"), and not absurdly many."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delay-seconds or an HTTP-date; None if unusable."""
    if value is None:
        return None
    seconds = _non_negative_int(value)
    if seconds is not None:
        return float(seconds)
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def parse_max_age(cache_control: str | None) -> int | None:
    """The max-age directive of a Cache-Control value, in seconds; None when absent or bad."""
    for directive in (cache_control or "").split(","):
        name, _, argument = directive.partition("=")
        if name.strip().lower() == "max-age":
            return _non_negative_int(argument.strip().strip('"'))
    return None


def parse_content_length(value: str | None) -> int | None:
    """The announced body size; None when absent or unusable (the cap still holds in streaming)."""
    return None if value is None else _non_negative_int(value)
