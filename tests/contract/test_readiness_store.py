"""The readiness part of the store contract: runs kept, latest per plan, history paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from drorch.domain.plans import RecoveryPlan
from drorch.domain.readiness import (
    Finding,
    ReadinessRun,
    ReadinessStatus,
    Severity,
    Subject,
    SubjectKind,
    Trigger,
)
from drorch.errors import ValidationError
from drorch.ports.store import Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def a_plan(store: Store, plan_id: str, name: str) -> None:
    with store.transaction() as uow:
        uow.plans.add(RecoveryPlan(id=plan_id, name=name, created_at=NOW, updated_at=NOW))


def a_run(plan_id: str, n: int, status: ReadinessStatus, name: str = "p") -> ReadinessRun:
    lagging = Finding(
        check="replication",
        code="replication-lag",
        severity=Severity.ERROR,
        subject=Subject(kind=SubjectKind.SERVER, id="s-00000000000000001"),
        message="lags",
        detail={"lag_seconds": 1200.0},
    )
    at = NOW + timedelta(minutes=n)
    return ReadinessRun(
        id=f"rr-{plan_id}-{n}",
        plan_id=plan_id,
        plan_name=name,
        trigger=Trigger.SCHEDULE,
        status=status,
        started_at=at,
        finished_at=at,
        by="scheduler",
        checks=["replication"],
        findings=[lagging] if status is ReadinessStatus.NOT_READY else [],
    )


def test_runs_round_trip_and_the_newest_is_the_latest(store: Store) -> None:
    a_plan(store, "rp-a", "alpha")
    with store.read() as uow:
        assert uow.readiness.latest("rp-a") is None
    kept = []
    with store.transaction() as uow:
        for n, status in enumerate([ReadinessStatus.READY, ReadinessStatus.NOT_READY]):
            kept.append(uow.readiness.add(a_run("rp-a", n, status, "alpha")))
    with store.read() as uow:
        latest = uow.readiness.latest("rp-a")
    assert latest == kept[-1] and latest.seq is not None and latest.seq > (kept[0].seq or 0)
    assert latest.findings[0].detail == {"lag_seconds": 1200.0}


def test_history_pages_newest_first_and_forged_cursors_are_refused(store: Store) -> None:
    a_plan(store, "rp-a", "alpha")
    with store.transaction() as uow:
        for n in range(5):
            uow.readiness.add(a_run("rp-a", n, ReadinessStatus.READY))
    seen: list[str] = []
    cursor = None
    with store.read() as uow:
        while True:
            page = uow.readiness.page("rp-a", cursor, 2)
            seen += [r.id for r in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        with pytest.raises(ValidationError):
            uow.readiness.page("rp-a", "bm90LWEtY3Vyc29y.abc", 2)
    assert seen == [f"rr-rp-a-{n}" for n in (4, 3, 2, 1, 0)]


def test_the_overview_holds_each_plans_latest_by_name_and_a_deleted_plan_takes_its_runs(
    store: Store,
) -> None:
    a_plan(store, "rp-b", "beta")
    a_plan(store, "rp-a", "Alpha")
    with store.transaction() as uow:
        uow.readiness.add(a_run("rp-b", 0, ReadinessStatus.READY, "beta"))
        uow.readiness.add(a_run("rp-a", 1, ReadinessStatus.READY, "Alpha"))
        uow.readiness.add(a_run("rp-b", 2, ReadinessStatus.NOT_READY, "beta"))
    with store.read() as uow:
        overview = [(r.plan_name, r.status.value) for r in uow.readiness.latest_of_every_plan()]
    assert overview == [("Alpha", "READY"), ("beta", "NOT_READY")]
    with store.transaction() as uow:
        uow.plans.delete("rp-b", expected_version=None)
    with store.read() as uow:
        assert uow.readiness.latest("rp-b") is None
        assert [r.plan_id for r in uow.readiness.latest_of_every_plan()] == ["rp-a"]
