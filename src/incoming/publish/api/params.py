"""Reading the API's parameters strictly: anything malformed is a 400 naming the parameter.

Strict means exactly the forms the OpenAPI document declares, no more and no less: ASCII
digits for integers (not `int()`'s "+5", " 5" or "٥"), RFC 3339 dates and date-times, and
cursors of the declared pattern. Fuzzers check both directions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.datastructures import QueryParams

from incoming.publish.api.errors import bad_parameter
from incoming.publish.data import SEARCH_MAX_CHARS

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 10_000  # search results are ranked: nobody reads that deep, and it costs to rank
MAX_ID = 2**63 - 1  # the largest id the database can hold
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)
_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# Microseconds since 0001-01-01 UTC, then the id: a position, so any such pair is valid.
CURSOR_PATTERN = r"^[0-9]{1,18}\.[0-9]{1,19}$"
_CURSOR = re.compile(CURSOR_PATTERN)


def parse_id(raw: str, parameter: str) -> int:
    """A positive database id."""
    value = int(raw) if _DIGITS.fullmatch(raw) else 0
    if not 1 <= value <= MAX_ID:
        raise bad_parameter(parameter, f"{parameter} must be an integer from 1 to {MAX_ID}")
    return value


def _bounded(query: QueryParams, parameter: str, default: int, low: int, high: int) -> int:
    raw = query.get(parameter)
    if raw is None:
        return default
    value = int(raw) if _DIGITS.fullmatch(raw) else low - 1
    if not low <= value <= high:
        raise bad_parameter(parameter, f"{parameter} must be an integer from {low} to {high}")
    return value


def parse_limit(query: QueryParams) -> int:
    return _bounded(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)


def parse_offset(query: QueryParams) -> int:
    return _bounded(query, "offset", 0, 0, MAX_OFFSET)


def parse_search_query(query: QueryParams) -> str:
    """`q`: any text at all (the index reads what it can of it), but not without end."""
    raw = query.get("q")
    if raw is None:
        raise bad_parameter("q", "q is required: what to search for")
    if len(raw) > SEARCH_MAX_CHARS:
        raise bad_parameter("q", f"q must be at most {SEARCH_MAX_CHARS} characters")
    return raw


def parse_instant(query: QueryParams, parameter: str) -> datetime | None:
    """An RFC 3339 date (midnight UTC) or date-time with its offset, in UTC.

    A time whose offset puts it outside the years 1 to 9999 in UTC is taken as the earliest or
    latest time there is: as a bound it means the same.
    """
    raw = query.get(parameter)
    if raw is None:
        return None
    if not (_DATE.fullmatch(raw) or _DATE_TIME.fullmatch(raw)):
        raise bad_parameter(
            parameter, f"{parameter} must be a date or an RFC 3339 date-time, like 2025-01-31"
        )
    try:
        value = datetime.fromisoformat(raw.upper())
    except ValueError:
        raise bad_parameter(parameter, f"{parameter} is not a date that exists") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return EARLIEST if value.year == 1 else LATEST


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in the latest-updates order: just after the item with this (updated, id).

    Clients are to pass it back as given; any value of the declared pattern is a position
    (beyond the last representable time or id counts as from the top).
    """

    updated: datetime
    id: int

    def encode(self) -> str:
        micros = (self.updated - EARLIEST) // timedelta(microseconds=1)
        return f"{micros}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        if not _CURSOR.fullmatch(text):
            raise bad_parameter("cursor", "cursor is not one this API returned")
        micros, _, number = text.partition(".")
        try:
            updated = EARLIEST + timedelta(microseconds=int(micros))
        except OverflowError:
            updated = LATEST
        return cls(updated, min(int(number), MAX_ID))


def parse_cursor(query: QueryParams) -> Cursor | None:
    raw = query.get("cursor")
    return None if raw is None else Cursor.decode(raw)
