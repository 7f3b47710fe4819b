"""Cron times in a time zone, across both DST transitions of a year."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.domain import cron

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_a_daily_0230_runs_once_on_the_spring_forward_day_right_after_the_gap() -> None:
    # Berlin skips 02:00-03:00 on 29 March 2026: 02:30 does not exist that night.
    times = cron.next_times("30 2 * * *", BERLIN, utc(2026, 3, 27, 12), 4)
    assert times == [
        utc(2026, 3, 28, 1, 30),  # 02:30 CET
        utc(2026, 3, 29, 1, 0),  # 03:00 CEST, once
        utc(2026, 3, 30, 0, 30),  # 02:30 CEST
        utc(2026, 3, 31, 0, 30),
    ]


def test_a_daily_0130_runs_once_on_the_fall_back_day() -> None:
    # New York repeats 01:00-02:00 on 1 November 2026: 01:30 happens twice, runs once.
    times = cron.next_times("30 1 * * *", NEW_YORK, utc(2026, 10, 31, 12), 3)
    assert times == [
        utc(2026, 11, 1, 5, 30),  # 01:30 EDT, the first of the two
        utc(2026, 11, 2, 6, 30),  # 01:30 EST
        utc(2026, 11, 3, 6, 30),
    ]


def test_asking_inside_the_repeated_hour_does_not_run_its_time_again() -> None:
    # 01:10 EST (06:10 UTC) comes after 01:30 EDT (05:30 UTC) has run: next is the next day.
    assert cron.next_time("30 1 * * *", NEW_YORK, utc(2026, 11, 1, 6, 10)) == utc(
        2026, 11, 2, 6, 30
    )


def test_every_30_minutes_runs_every_real_slot_through_the_repeated_hour() -> None:
    times = cron.next_times("*/30 * * * *", BERLIN, utc(2026, 10, 24, 23, 50), 6)
    assert times == [utc(2026, 10, 25, 0, 0) + timedelta(minutes=30 * i) for i in range(6)]


def test_saturday_0600_in_a_zone() -> None:
    # 1 December 2026 is a Tuesday; Saturday 5 December 06:00 CET is 05:00 UTC.
    assert cron.next_time("0 6 * * 6", BERLIN, utc(2026, 12, 1)) == utc(2026, 12, 5, 5)
    assert cron.describe("0 6 * * 6") == "At 06:00 on Saturday"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("61 * * * *", "not a valid cron expression"),
        ("* * * *", "five fields"),
        ("* * * * * *", "five fields"),
        ("x" * 300, "at most"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cron.check_cron(expression)


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/etc/localtime"])
def test_unknown_zones_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="IANA"):
        cron.zone(name)


def test_an_expression_that_can_never_match_is_refused() -> None:
    with pytest.raises(ValueError, match="day-of-month"):
        cron.check_cron("0 0 30 2 *")


@settings(max_examples=30, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    zone=st.sampled_from([BERLIN, NEW_YORK, "Australia/Lord_Howe", "UTC"]),
)
def test_times_are_strictly_increasing_and_after_the_start(start: datetime, zone: str) -> None:
    after = start.replace(tzinfo=UTC)
    times = cron.next_times("15,45 0-3 * * *", zone, after, 20)
    assert times and times[0] > after
    assert all(a < b for a, b in pairwise(times))
