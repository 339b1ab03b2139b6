"""When sources are checked again: success, backoff, Retry-After, caps and the spread."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from incoming.fetch import next_check, retry_delay
from incoming.fetch.schedule import spread_factor

NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def delay(
    *,
    interval: timedelta = HOUR,
    error_count: int = 0,
    retry_after: float | None = None,
    ttl_seconds: int | None = None,
    max_age: int | None = None,
    spread_key: str = "source-1",
) -> timedelta:
    due = next_check(
        NOW,
        interval=interval,
        error_count=error_count,
        retry_after=retry_after,
        ttl_seconds=ttl_seconds,
        max_age=max_age,
        spread_key=spread_key,
    )
    return due - NOW


@pytest.mark.parametrize(
    ("case", "inputs", "base"),
    [
        ("success waits the interval", {}, HOUR),
        ("a longer ttl wins", {"ttl_seconds": 7200}, 2 * HOUR),
        ("a longer max-age wins", {"max_age": 3 * 3600}, 3 * HOUR),
        ("the longest hint wins", {"ttl_seconds": 7200, "max_age": 5 * 3600}, 5 * HOUR),
        ("a shorter ttl is ignored", {"ttl_seconds": 600, "max_age": 60}, HOUR),
        ("hints are capped at a day", {"ttl_seconds": 30 * 86400}, DAY),
        ("absurd hints are capped", {"max_age": 10**17}, DAY),
        ("a long interval is kept", {"interval": 3 * DAY, "ttl_seconds": 30 * 86400}, 3 * DAY),
        ("first failure waits the interval", {"error_count": 1}, HOUR),
        ("second failure doubles it", {"error_count": 2}, 2 * HOUR),
        ("third failure doubles again", {"error_count": 3}, 4 * HOUR),
        ("fifth failure", {"error_count": 5}, 16 * HOUR),
        ("backoff is capped at a day", {"error_count": 6}, DAY),
        ("endless failures stay capped", {"error_count": 10_000}, DAY),
        ("failures ignore feed hints", {"error_count": 1, "max_age": 5 * 3600}, HOUR),
        ("a short retry-after leaves backoff", {"error_count": 3, "retry_after": 60}, 4 * HOUR),
    ],
)
def test_delay_is_the_base_spread_by_ten_percent(case: str, inputs: dict, base: timedelta) -> None:
    assert 0.9 * base <= delay(**inputs) < 1.1 * base, case


@pytest.mark.parametrize(
    ("case", "inputs", "expected"),
    [
        ("retry-after beyond backoff", {"error_count": 1, "retry_after": 5 * 3600}, 5 * HOUR),
        ("retry-after beyond the day cap", {"error_count": 9, "retry_after": 3 * 86400}, 3 * DAY),
        ("absurd retry-after is capped", {"error_count": 1, "retry_after": 1e12}, 7 * DAY),
        ("retry-after on success too", {"retry_after": 4 * 3600.0}, 4 * HOUR),
    ],
)
def test_retry_after_is_honoured_exactly(case: str, inputs: dict, expected: timedelta) -> None:
    assert delay(**inputs) == expected, case


@pytest.mark.parametrize(
    ("error_count", "retry_after", "expected"),
    [
        (1, None, HOUR),
        (2, None, 2 * HOUR),
        (4, None, 8 * HOUR),
        (5, None, 16 * HOUR),
        (6, None, DAY),
        (1, 7200.0, 2 * HOUR),
        (3, 60.0, 4 * HOUR),
        (2, 1e12, 7 * DAY),
    ],
)
def test_retry_delay(error_count: int, retry_after: float | None, expected: timedelta) -> None:
    assert retry_delay(interval=HOUR, error_count=error_count, retry_after=retry_after) == expected


def test_spread_is_deterministic_per_key() -> None:
    assert delay(spread_key="a") == delay(spread_key="a")
    assert delay(spread_key="a") != delay(spread_key="b")
    assert spread_factor("a") == spread_factor("a")


def test_ten_thousand_sources_do_not_come_due_together() -> None:
    delays = [delay(spread_key=f"source-{n}") for n in range(10_000)]
    per_second = Counter(int(d.total_seconds()) for d in delays)
    assert len(per_second) >= 700  # the ±360 s window is used throughout
    assert max(per_second.values()) < 40  # about 14 a second, never a stampede
    assert min(delays) >= 0.9 * HOUR
    assert max(delays) < 1.1 * HOUR
    early = sum(d < HOUR for d in delays)
    assert 4500 < early < 5500  # spread evenly around the interval


@pytest.mark.parametrize(
    "inputs", [{"interval": timedelta(0)}, {"interval": -HOUR}, {"error_count": -1}]
)
def test_nonsense_input_is_refused(inputs: dict) -> None:
    with pytest.raises(ValueError, match="positive interval"):
        delay(**inputs)


def test_after_success_is_next_check_without_errors() -> None:
    from incoming.fetch.schedule import next_check_after_success

    assert next_check_after_success(
        NOW, interval_seconds=3600, spread_key="s", ttl_seconds=7200, max_age=60
    ) == NOW + delay(ttl_seconds=7200, max_age=60, spread_key="s")
