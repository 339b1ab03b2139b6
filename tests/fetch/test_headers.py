"""Reading Retry-After and Cache-Control, which servers get wrong in every possible way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incoming.fetch.headers import parse_content_length, parse_max_age, parse_retry_after

NOW = datetime(2015, 10, 21, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1680.0),
        ("Wed, 21 Oct 2015 07:28:00 -0000", 1680.0),
        ("Wednesday, 21-Oct-15 07:28:00 GMT", 1680.0),  # RFC 850 form
        ("Wed Oct 21 07:28:00 2015", 1680.0),  # asctime form
        ("Tue, 20 Oct 2015 07:28:00 GMT", 0.0),  # in the past: now
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("²", None),
        ("9" * 40, None),
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize(
    ("value", "max_age"),
    [
        ("max-age=600", 600),
        ("public, max-age=600", 600),
        ("MAX-AGE = 60", 60),
        ('max-age="300"', 300),
        ("s-maxage=10, max-age=20", 20),
        ("no-cache", None),
        ("max-age=abc", None),
        ("max-age=-1", None),
        ("max-age", None),
        ("", None),
        (None, None),
    ],
)
def test_max_age(value: str | None, max_age: int | None) -> None:
    assert parse_max_age(value) == max_age


@pytest.mark.parametrize(
    ("value", "length"),
    [("1234", 1234), (" 0 ", 0), ("-1", None), ("12, 12", None), ("9" * 5000, None), (None, None)],
)
def test_content_length(value: str | None, length: int | None) -> None:
    assert parse_content_length(value) == length
