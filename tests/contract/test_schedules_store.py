"""The schedule part of the store contract: documents, due times, runs claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from drorch.domain.identity import Role
from drorch.domain.schedules import Owner, RunStatus, Schedule, ScheduleRun
from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError
from drorch.ports.store import Store

NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
OWNER = Owner(subject="u-1", username="olga", role=Role.OPERATOR)


def a_schedule(schedule_id: str, name: str, **fields: object) -> Schedule:
    base: dict[str, object] = {
        "id": schedule_id,
        "name": name,
        "kind": "backup",
        "cron": "0 3 * * *",
        "owner": OWNER,
        "created_by": "olga",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Schedule.model_validate({**base, **fields})


def a_run(schedule_id: str, due: datetime, run_id: str) -> ScheduleRun:
    return ScheduleRun(
        id=run_id, schedule_id=schedule_id, due_at=due, claimed_at=due, claimed_by="w"
    )


def test_documents_names_and_versions(store: Store) -> None:
    with store.transaction() as uow:
        uow.schedules.add(a_schedule("sc-1", "Nightly"), next_due_at=NOW)
        uow.schedules.add(a_schedule("sc-2", "alpha"), next_due_at=None)
    with store.read() as uow:
        assert [s.name for s in uow.schedules.all()] == ["alpha", "Nightly"]
        assert uow.schedules.find_by_name("nightly") == a_schedule("sc-1", "Nightly")
        assert uow.schedules.next_due_of(["sc-1", "sc-2"]) == {"sc-1": NOW, "sc-2": None}
    with pytest.raises(ConflictError, match="NIGHTLY"), store.transaction() as uow:
        uow.schedules.add(a_schedule("sc-3", "NIGHTLY"), next_due_at=None)
    changed = a_schedule("sc-1", "Nightly", version=2)
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.schedules.update(changed, expected_version=5, next_due_at=None)
    with store.transaction() as uow:
        uow.schedules.update(changed, expected_version=1, next_due_at=NOW + timedelta(hours=1))
    with store.read() as uow:
        assert uow.schedules.next_due() == NOW + timedelta(hours=1)
    with pytest.raises(NotFoundError), store.transaction() as uow:
        uow.schedules.delete("sc-9", expected_version=None)


def test_due_schedules_and_a_claim_that_happens_once(store: Store) -> None:
    with store.transaction() as uow:
        uow.schedules.add(a_schedule("sc-1", "one"), next_due_at=NOW)
        uow.schedules.add(a_schedule("sc-2", "two"), next_due_at=NOW + timedelta(hours=2))
    with store.read() as uow:
        assert [(s.id, d) for s, d in uow.schedules.due(NOW + timedelta(minutes=1))] == [
            ("sc-1", NOW)
        ]
    later = NOW + timedelta(days=1)
    with store.transaction() as uow:
        assert uow.schedules.claim(a_run("sc-1", NOW, "sr-1"), next_due_at=later)
        # Another worker with the same due time: the row exists, nothing changes.
        assert not uow.schedules.claim(a_run("sc-1", NOW, "sr-2"), next_due_at=NOW)
    with store.read() as uow:
        assert uow.schedules.next_due_of(["sc-1"]) == {"sc-1": later}
        assert [r.id for r in uow.schedules.running()] == ["sr-1"]
        assert uow.schedules.get_run("sr-2") is None


def test_runs_page_newest_first_and_go_with_their_schedule(store: Store) -> None:
    with store.transaction() as uow:
        uow.schedules.add(a_schedule("sc-1", "one"), next_due_at=NOW)
        for i in range(3):
            due = NOW + timedelta(days=i)
            uow.schedules.claim(a_run("sc-1", due, f"sr-{i}"), next_due_at=due)
        done = uow.schedules.get_run("sr-1")
        assert done is not None
        uow.schedules.finish(done.ended(RunStatus.SKIPPED, NOW, "why", reasons=[{"reason": "x"}]))
    with store.read() as uow:
        first = uow.schedules.runs_page("sc-1", None, 2)
        assert [r.id for r in first.items] == ["sr-2", "sr-1"]
        assert first.items[1].status is RunStatus.SKIPPED and first.items[1].reasons == [
            {"reason": "x"}
        ]
        rest = uow.schedules.runs_page("sc-1", first.next_cursor, 2)
        assert [r.id for r in rest.items] == ["sr-0"] and rest.next_cursor is None
        assert uow.schedules.last_runs(["sc-1", "sc-9"])["sc-1"].id == "sr-2"
    with store.transaction() as uow:
        uow.schedules.delete("sc-1", expected_version=1)
    with store.read() as uow:
        assert uow.schedules.get_run("sr-0") is None
