"""The doctor finds each kind of problem in a real store driven by the engine and the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from drorch.domain.doctor import Check, DoctorReport
from drorch.domain.executions import Intent
from drorch.domain.plans import PlanDraft
from drorch.services import execution_actions as actions
from drorch.services.doctor import run_doctor
from drorch.services.doctor_checks import Thresholds
from drorch.services.plans import create_plan, get_plan
from tests.integration.engine.harness import World, ids, world
from tests.support.identity import acting
from tests.support.sandbox import ACCOUNT, REGION, many_servers

LIMITS = Thresholds()


@pytest.fixture
def w() -> Iterator[World]:
    with world(many_servers(40)) as found:
        yield found


def doctor(w: World, later: timedelta = timedelta(0), limits: Thresholds = LIMITS) -> DoctorReport:
    """The doctor's report, `later` after the sandbox's present."""
    return run_doctor(store=w.store, limits=limits, now=w.clock.now() + later)


def check(found: DoctorReport, name: str) -> Check:
    """One check of a report by name."""
    return next(c for c in found.checks if c.name == name)


def with_rto(w: World, name: str, rto: int) -> str:
    """A plan like `w.plan` makes, with an RTO target."""
    plan = get_plan(store=w.store, plan_id=w.plan(f"{name}-base", [("w1", ids(1000, 5))]))
    draft = PlanDraft(name=name, rto_minutes=rto, waves=plan.waves)
    return create_plan(store=w.store, draft=draft).id


def test_a_quiet_store_is_all_ok(w: World) -> None:
    found = doctor(w)
    assert found.status == "ok"
    assert not found.failed
    assert {c.status for c in found.checks} == {"ok"}
    assert check(found, f"quota {ACCOUNT}/{REGION}").message.startswith("concurrent jobs 0/20")


def test_a_run_far_over_its_rto_fails_executions_overdue(w: World) -> None:
    ex = w.start(with_rto(w, "fast", 30))
    w.tick()
    assert check(doctor(w, timedelta(minutes=40)), "executions_overdue").status == "ok"
    found = doctor(w, timedelta(minutes=50))  # 50 min > 30 min x 1.5
    overdue = check(found, "executions_overdue")
    assert overdue.status == "fail"
    assert overdue.items[0].startswith(ex.id)
    assert "RTO 30 min" in overdue.message
    assert found.failed


def test_a_run_without_events_fails_executions_stalled(w: World) -> None:
    ex = w.start(w.plan("quiet", [("w1", ids(1000, 3))]))
    w.tick()
    assert check(doctor(w, timedelta(minutes=20)), "executions_stalled").status == "ok"
    stalled = check(doctor(w, timedelta(minutes=45)), "executions_stalled")
    assert stalled.status == "fail"
    assert ex.id in stalled.message
    assert "worker runs" in stalled.message


def test_a_long_pause_only_warns(w: World) -> None:
    ex = w.start(w.plan("held", [("w1", ids(1000, 3))], pause_before=["w1"]))
    w.drive(until=w.idle(ex.id))
    stalled = check(doctor(w, timedelta(hours=2)), "executions_stalled")
    assert stalled.status == "warn"
    assert "resume or cancel" in stalled.message


def test_a_lease_of_a_stopped_worker_fails_leases(w: World) -> None:
    ex = w.start(w.plan("leased", [("w1", ids(1000, 3))]))
    now = w.clock.now()
    with w.store.transaction() as uow:
        taken = uow.executions.claim(
            ex.id, owner="worker-gone", now=now, lease_until=now + timedelta(seconds=30)
        )
    assert taken
    assert check(doctor(w, timedelta(minutes=5)), "leases").status == "ok"
    leases = check(doctor(w, timedelta(minutes=30)), "leases")
    assert leases.status == "fail"
    assert "worker-gone" in leases.message
    assert "drorch worker" in leases.message


def test_an_ended_drill_never_cleaned_up_warns(w: World) -> None:
    ex = w.start(w.plan("done", [("w1", ids(1000, 3))]))
    w.drive()
    assert w.get(ex.id).status == "COMPLETED"
    assert check(doctor(w, timedelta(minutes=10)), "drill_cleanup").status == "ok"
    cleanup = check(doctor(w, timedelta(hours=2)), "drill_cleanup")
    assert cleanup.status == "warn"
    assert cleanup.items == [ex.id]
    actions.terminate_instances(
        store=w.store, execution_id=ex.id, audit=acting("tester"), clock=w.clock
    )
    w.drive()
    assert check(doctor(w, timedelta(hours=2)), "drill_cleanup").status == "ok"


def test_stalled_replication_fails_and_lag_warns(w: World) -> None:
    with w.store.read() as uow:
        first, second = (uow.servers.get(i) for i in ids(1000, 2))
    assert first is not None and second is not None
    with w.store.transaction() as uow:
        uow.servers.upsert_many([second.model_copy(update={"lag_seconds": 900.0})])
    lagging = check(doctor(w), "replication")
    assert lagging.status == "warn"
    assert lagging.items[0].startswith(second.id)
    with w.store.transaction() as uow:
        uow.servers.upsert_many([first.model_copy(update={"replication_state": "STALLED"})])
    stalled = check(doctor(w), "replication")
    assert stalled.status == "fail"
    assert first.id in stalled.message
    assert len(stalled.items) == 2


def test_quota_headroom_warns_then_fails_as_open_jobs_fill_the_account(w: World) -> None:
    ex = w.start(w.plan("busy", [("w1", ids(1000, 3))]))
    name = f"quota {ACCOUNT}/{REGION}"
    open_jobs(w, ex.id, 17)
    assert check(doctor(w), name).status == "warn"
    open_jobs(w, ex.id, 3, start=17)
    full = check(doctor(w), name)
    assert full.status == "fail"
    assert "concurrent jobs 20/20" in full.message


def open_jobs(w: World, execution_id: str, count: int, start: int = 0) -> None:
    """Record `count` OPEN launch intents of one server each, as the engine does."""
    with w.store.transaction() as uow:
        for n in range(start, start + count):
            uow.executions.add_intent(
                Intent(
                    execution_id=execution_id,
                    batch_id=f"b-doctor-{n}",
                    kind="LAUNCH",
                    execution_type="DRILL",
                    account_id=ACCOUNT,
                    region=REGION,
                    source_server_ids=ids(1010 + n, 1),
                    created_at=w.clock.now(),
                )
            )


def test_a_store_over_its_size_bound_warns(w: World) -> None:
    store = check(doctor(w, limits=Thresholds(store_warn_bytes=1024)), "store")
    assert store.status == "warn"
    assert "take a backup" in store.message


def test_checked_at_is_the_time_asked(w: World) -> None:
    moment: datetime = w.clock.now() + timedelta(hours=3)
    assert run_doctor(store=w.store, limits=LIMITS, now=moment).checked_at == moment
