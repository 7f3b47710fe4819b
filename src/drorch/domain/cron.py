"""Cron expressions in an IANA time zone: validation, the next run times, a description.

The times are wall-clock times of the zone, the way cron runs them across DST changes:
a time that does not exist on a spring-forward day (02:30) runs once at the first moment
after the gap, a time that happens twice on a fall-back day (01:30) runs once, at its first
occurrence; expressions with a wildcard hour run at every real slot. Every time returned
is an aware UTC datetime, strictly after the one asked about.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

MAX_EXPRESSION = 200
# An expression matching nothing for years (Feb 30) must not keep the iterator spinning.
MAX_STEPS = 1000


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`; ValueError naming it when it is unknown."""
    if not name or name != name.strip() or ".." in name or name.startswith("/"):
        raise ValueError(f"{name!r} is not an IANA time zone name such as Europe/Berlin")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{name!r} is not an IANA time zone name such as Europe/Berlin") from None


def check_cron(expression: str) -> str:
    """A five-field cron expression as given; ValueError saying what is wrong with it."""
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(f"must be at most {MAX_EXPRESSION} characters")
    if len(expression.split()) != 5:
        raise ValueError("must have five fields: minute hour day-of-month month day-of-week")
    try:
        CronSim(expression, datetime(2026, 1, 1, tzinfo=UTC))
    except CronSimError as exc:
        raise ValueError(f"not a valid cron expression: {exc}") from None
    return expression


def next_times(expression: str, tz: str, after: datetime, count: int) -> list[datetime]:
    """The next `count` run times after `after` (fewer if the expression runs out)."""
    found: list[datetime] = []
    for moment in _times(expression, zone(tz), after):
        found.append(moment)
        if len(found) >= count:
            break
    return found


def next_time(expression: str, tz: str, after: datetime) -> datetime | None:
    """The first run time after `after`, or None when there is none in reach."""
    times = next_times(expression, tz, after, 1)
    return times[0] if times else None


def describe(expression: str) -> str:
    """The expression in words, e.g. `At 06:00 on Saturday`."""
    try:
        return str(CronSim(expression, datetime(2026, 1, 1, tzinfo=UTC)).explain())
    except (CronSimError, ValueError):
        return expression


def _times(expression: str, tz: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """UTC times strictly after `after`, in order, each once."""
    floor = after.astimezone(UTC)
    # Compared in UTC: aware times of one zone compare as wall times, blind to DST.
    iterator = CronSim(expression, floor.astimezone(tz))
    for _ in range(MAX_STEPS):
        try:
            moment = next(iterator).astimezone(UTC)
        except StopIteration:
            return
        # A start inside a repeated hour can yield the first pass of that hour, already gone.
        if moment > floor:
            floor = moment
            yield moment
