"""Schedule drafts: what each kind may name, one timing, aware times; slots a pause covered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from drorch.domain.identity import Role
from drorch.domain.schedules import Owner, Schedule, ScheduleDraft

NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


def draft(**fields: Any) -> ScheduleDraft:
    base = {"name": "s", "kind": "drill", "plan_id": "rp-1", "cron": "*/30 * * * *"}
    return ScheduleDraft.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"at": NOW.isoformat()}, "either cron"),
        ({"cron": None}, "either cron"),
        ({"plan_id": None}, "needs plan_id"),
        ({"kind": "backup"}, "names no plan"),
        ({"kind": "readiness", "waves": ["db"]}, "only a drill"),
        ({"retention": 3}, "only a backup"),
        ({"cron": None, "at": "2026-12-05T06:00:00"}, "UTC offset"),
        ({"timezone": "Nowhere/Land"}, "IANA"),
        ({"cron": "0 24 * * *"}, "hour"),
    ],
)
def test_drafts_refuse_what_does_not_fit(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        draft(**fields)


def test_a_one_off_is_kept_in_utc_and_due_once() -> None:
    once = draft(cron=None, at="2026-12-05T06:00:00+01:00")
    assert once.at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    schedule = Schedule(
        **once.model_dump(),
        id="sc-1",
        owner=Owner(subject="u-1", username="o", role=Role.OPERATOR),
        created_by="o",
        created_at=NOW,
        updated_at=NOW,
    )
    assert schedule.next_due(NOW) == once.at and schedule.next_due(once.at) is None
    assert schedule.slots_between(once.at, once.at + timedelta(days=3)) == 1


def test_slots_between_counts_every_due_time_a_pause_covered() -> None:
    schedule = Schedule(
        **draft().model_dump(),
        id="sc-1",
        owner=Owner(subject="u-1", username="o", role=Role.OPERATOR),
        created_by="o",
        created_at=NOW,
        updated_at=NOW,
    )
    first = NOW + timedelta(minutes=30)
    assert schedule.slots_between(first, first) == 1
    assert schedule.slots_between(first, first + timedelta(hours=2, minutes=10)) == 5
