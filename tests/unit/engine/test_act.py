"""act/advance with the real SQLite store and an in-memory DRS: intents, errors, quotas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drorch.adapters.clock import ManualClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Event
from drorch.engine.advance import Engine
from drorch.errors import DrsThrottlingError, DrsUnavailableError, DrsValidationError
from drorch.ports.drs import DrsJob, JobServer, Scope
from tests.unit.engine.factory import ACCOUNT, REGION, T0, execution, sid
from tests.unit.engine.fake_drs import FakeDrs


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


def setup(
    store: SqliteStore, waves: list[tuple[str, int]], type: str = "DRILL"
) -> tuple[Engine, FakeDrs, ManualClock]:
    clock = ManualClock(T0)
    drs = FakeDrs(Scope(ACCOUNT, REGION), store=store)
    ex = execution(waves, type=type)
    with store.transaction() as uow:
        uow.executions.add(ex)
        uow.executions.schedule(ex.id, T0)
    return Engine(store=store, drs=drs, clock=clock, owner="w1"), drs, clock


def kinds(store: SqliteStore) -> list[str]:
    with store.read() as uow:
        events: list[Event] = uow.executions.events_since("ex-1", 0, 500)
    return [e.kind for e in events]


def test_the_intent_is_recorded_before_start_recovery_and_closed_after(store: SqliteStore) -> None:
    engine, drs, _ = setup(store, [("a", 3)])
    engine.advance("ex-1")
    with store.read() as uow:
        intents = uow.executions.intents("ex-1")
    assert [i.state for i in intents] == ["STARTED"]
    assert drs.intent_seen == [intents[0].batch_id]
    assert drs.jobs["j-1"].tags == {
        "drorch:execution-id": "ex-1",
        "drorch:batch-id": intents[0].batch_id,
    }


def test_throttling_backs_off_honouring_retry_after_and_lands_on_the_timeline(
    store: SqliteStore,
) -> None:
    engine, drs, clock = setup(store, [("a", 3)])
    throttled = DrsThrottlingError("slow down", code="ThrottlingException", retry_after=7)
    drs.errors = {"StartRecovery": [throttled]}
    done = engine.advance("ex-1")
    assert "drs.error" in kinds(store)
    assert done.next_look_at is not None
    assert (done.next_look_at - clock.now()).total_seconds() >= 7
    assert engine.advance("ex-1").next_look_at == done.next_look_at
    assert drs.calls.count("StartRecovery") == 1
    clock.advance(8)
    engine.advance("ex-1")
    assert drs.calls.count("StartRecovery") == 2
    assert len(drs.jobs) == 1


def test_throttled_describe_jobs_starts_nothing_and_backs_off(store: SqliteStore) -> None:
    engine, drs, _ = setup(store, [("a", 3)])
    drs.errors = {"DescribeJobs": [DrsThrottlingError("slow", code="ThrottlingException")]}
    engine.advance("ex-1")
    assert drs.calls == ["DescribeJobs"]
    assert "drs.error" in kinds(store)


def test_an_unanswered_call_is_reconciled_not_reissued(store: SqliteStore) -> None:
    engine, drs, clock = setup(store, [("a", 2)])
    original = drs.start_recovery

    def lost_answer(**kw: object) -> DrsJob:
        original(**kw)  # type: ignore[arg-type]
        raise DrsUnavailableError("connection reset", code="")

    drs.start_recovery = lost_answer  # type: ignore[method-assign]
    engine.advance("ex-1")
    drs.start_recovery = original  # type: ignore[method-assign]
    clock.advance(2)
    engine.advance("ex-1")
    with store.read() as uow:
        ex = uow.executions.get("ex-1")
    assert ex is not None
    assert len(drs.jobs) == 1
    assert [(b.state, b.job_id) for b in ex.batches] == [("ACTIVE", "j-1")]


def test_a_validation_error_fails_the_servers_and_the_run_goes_on(store: SqliteStore) -> None:
    engine, drs, _ = setup(store, [("a", 2), ("b", 1)])
    drs.errors = {"StartRecovery": [DrsValidationError("bad", code="ValidationException")]}
    engine.advance("ex-1")
    with store.read() as uow:
        ex = uow.executions.get("ex-1")
    assert ex is not None
    assert ex.status == "FAILED"
    assert {s.status for s in ex.servers()} == {"FAILED", "SKIPPED"}
    assert ex.wave("a").servers[0].error == "ValidationException: bad"


def test_quota_counts_jobs_drorch_did_not_start(store: SqliteStore) -> None:
    engine, drs, _ = setup(store, [("a", 3)])
    for n in range(20):
        drs.jobs[f"x-{n}"] = DrsJob(
            f"x-{n}", "LAUNCH", "START_RECOVERY", "STARTED", servers=(JobServer(sid(900 + n)),)
        )
    engine.advance("ex-1")
    assert drs.calls.count("StartRecovery") == 0
    assert "capacity.waiting" in kinds(store)
    drs.jobs["x-0"] = DrsJob("x-0", "LAUNCH", "START_RECOVERY", "COMPLETED")
    engine.advance("ex-1")
    assert drs.calls.count("StartRecovery") == 1


def test_a_drill_yields_to_a_waiting_recovery(store: SqliteStore) -> None:
    engine, drs, _ = setup(store, [("a", 1)])
    with store.transaction() as uow:
        other = execution([("z", 1)], type="RECOVERY").model_copy(update={"id": "ex-2"})
        other.snapshot = other.snapshot.model_copy(update={"servers": []})
        uow.executions.add(other)
        uow.executions.set_waiting("ex-2", ACCOUNT, REGION, True)
    engine.advance("ex-1")
    assert drs.calls.count("StartRecovery") == 0
    with store.transaction() as uow:
        uow.executions.set_waiting("ex-2", ACCOUNT, REGION, False)
    engine.advance("ex-1")
    assert drs.calls.count("StartRecovery") == 1


def test_a_second_worker_cannot_advance_a_leased_execution(store: SqliteStore) -> None:
    _, drs, clock = setup(store, [("a", 1)])
    other = Engine(store=store, drs=drs, clock=clock, owner="w2")
    with store.transaction() as uow:
        assert uow.executions.claim(
            "ex-1", owner="w1", now=clock.now(), lease_until=clock.now().replace(year=2027)
        )
    assert other.advance("ex-1").status == "busy"
    assert drs.calls == []


def test_an_unexpected_error_lands_on_the_timeline_and_is_retried(store: SqliteStore) -> None:
    engine, drs, clock = setup(store, [("a", 1)])

    def broken(**kw: object) -> list[DrsJob]:
        raise RuntimeError("adapter bug")

    original = drs.describe_jobs
    drs.describe_jobs = broken  # type: ignore[method-assign]
    result = engine.advance("ex-1")
    assert result.status == "error" and result.next_look_at is not None
    assert "engine.error" in kinds(store)
    drs.describe_jobs = original  # type: ignore[method-assign]
    clock.advance(6)
    assert engine.advance("ex-1").status == "RUNNING"
