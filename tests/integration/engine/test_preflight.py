"""Starting an execution: every preflight reason at once, throttled reads, subsets of waves,
operator 409s."""

from __future__ import annotations

import pytest

from drorch.domain.executions import Execution
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.retrying import ReadRetry
from drorch.errors import ConflictError, ValidationError
from drorch.services import execution_actions as actions
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.plans import create_plan
from tests.integration.engine.harness import SandboxTime, World, ids, world
from tests.support.identity import acting
from tests.support.sandbox import (
    ACCOUNT,
    OTHER_ACCOUNT,
    REGION,
    RunningSandbox,
    sid,
    small_fleet,
)


def test_preflight_lists_every_reason_and_unhealthy_can_be_overridden() -> None:
    with world(small_fleet()) as w:
        first = w.plan("first", [("a", [sid(1), sid(2)])])
        w.start(first)
        # sid(7) is STALLED and sid(8) in INITIAL_SYNC in the sandbox's small fleet.
        second = w.plan("second", [("a", [sid(3), sid(7), sid(8)])])
        with pytest.raises(ConflictError) as caught:
            w.start(first)
        reasons = [c["reason"] for c in caught.value.extra["conflicts"]]
        assert reasons == ["plan-running", "server-busy", "server-busy"]
        with pytest.raises(ConflictError) as caught:
            w.start(second)
        reasons = sorted(c["reason"] for c in caught.value.extra["conflicts"])
        assert reasons == ["replication-unhealthy", "replication-unhealthy"]
        ex = w.start(second, allow_unhealthy=True)
        assert ex.status == "PENDING" and len(ex.snapshot.servers) == 3


def test_a_subset_of_waves_runs_with_dependencies_looked_through() -> None:
    with world(small_fleet()) as w:
        plan = w.plan("p", [("a", [sid(1)]), ("b", [sid(2)]), ("c", [sid(3)])])
        with pytest.raises(ValidationError):
            w.start(plan, waves=["nope"])
        ex = w.start(plan, waves=["a", "c"])
        assert [(x.name, x.depends_on) for x in ex.waves] == [("a", []), ("c", ["a"])]
        w.drive()
        assert w.get(ex.id).status == "COMPLETED"
        assert set(w.launches()) == {sid(1), sid(3)}


def test_operator_actions_answer_409_when_they_do_not_apply() -> None:
    with world(small_fleet()) as w:
        ex = w.start(w.plan("p", [("a", [sid(1)])]), type="RECOVERY")
        with pytest.raises(ConflictError):
            actions.resume(store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock)
        with pytest.raises(ConflictError):
            actions.terminate_instances(
                store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock
            )
        with pytest.raises(ConflictError):
            actions.cancel(
                store=w.store,
                execution_id=ex.id,
                audit=acting("op"),
                clock=w.clock,
                terminate_instances=True,
            )
        paused = actions.pause(store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock)
        assert paused.status == "PAUSED"
        assert ids(1000, 0) == []


def test_cancel_of_a_drill_can_terminate_what_it_launched() -> None:
    with world(small_fleet()) as w:
        ex = w.start(w.plan("p", [("a", [sid(1), sid(2)]), ("b", [sid(3)])]))
        w.tick()
        actions.cancel(
            store=w.store,
            execution_id=ex.id,
            audit=acting("op"),
            clock=w.clock,
            terminate_instances=True,
        )
        w.drive()
        done = w.get(ex.id)
        assert done.status == "CANCELLED"
        assert done.wave("b").status == "CANCELLED"
        assert done.cleanup_status == "COMPLETED"
        assert {s.status for s in done.wave("a").servers} == {"TERMINATED"}
        assert sid(3) not in w.launches()


class LiftingClock(SandboxTime):
    """The sandbox's clock; records every wait and lifts all faults after `lift_after` waits."""

    def __init__(self, sb: RunningSandbox, lift_after: int | None = None) -> None:
        super().__init__(sb)
        self.lift_after = lift_after
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        super().sleep(seconds)
        if len(self.waits) == self.lift_after:
            self.sb.admin("DELETE", "faults")


def throttle_describe_jobs(w: World) -> None:
    """One DescribeJobs per 100 s in every scope, with each scope's only token spent."""
    w.sb.admin("POST", "faults", {"throttle": {"DescribeJobs": 0.01}})
    for account in (ACCOUNT, OTHER_ACCOUNT):
        w.sb.client(account, REGION).describe_jobs()


def drs_wait(seconds: float) -> bool:
    """Whether a wait is the sandbox's Retry-After for that bucket.

    Its buckets refill in real time, so a slow machine may see 99 or 98 s instead of 100.
    """
    return 90 <= seconds <= 100


def two_scope_plan(w: World) -> str:
    """Wave a in the test account, wave b in the other account (two DRS scopes)."""
    waves = []
    for wave, account, server in (("a", ACCOUNT, sid(1)), ("b", OTHER_ACCOUNT, sid(10))):
        draft = GroupDraft(
            name=f"g-{wave}",
            account_id=account,
            region=REGION,
            selection=Selection(server_ids=[server]),
        )
        group = create_group(store=w.store, draft=draft).group
        waves.append(Wave(name=wave, protection_group_ids=[group.id]))
    return create_plan(store=w.store, draft=PlanDraft(name="two-scopes", waves=waves)).id


def start(w: World, plan: str, clock: LiftingClock, retry: ReadRetry) -> Execution:
    return svc.start_execution(
        store=w.store,
        drs=w.gateway,
        clock=clock,
        request=svc.StartRequest(plan, "DRILL"),
        audit=acting("tester"),
        read_retry=retry,
    )


def test_a_throttled_preflight_read_is_retried_after_retry_after_and_the_start_goes_on() -> None:
    with world(small_fleet()) as w:
        plan = two_scope_plan(w)
        throttle_describe_jobs(w)
        clock = LiftingClock(w.sb, lift_after=1)
        ex = start(w, plan, clock, ReadRetry(budget=300))
        assert ex.status == "PENDING"
        assert len(clock.waits) == 1 and drs_wait(clock.waits[0])  # more than the backoff asks
        assert w.sb.stats()["calls"]["DescribeJobs"] == 2 + 3  # spent, throttled, two passed


def test_a_preflight_still_throttled_after_its_retries_refuses_and_says_so() -> None:
    with world(small_fleet()) as w:
        plan = two_scope_plan(w)
        throttle_describe_jobs(w)
        clock = LiftingClock(w.sb)
        with pytest.raises(ConflictError) as caught:
            start(w, plan, clock, ReadRetry(attempts=3, budget=300))
        assert "throttled" in caught.value.detail and "ThrottlingException" in caught.value.detail
        conflicts = caught.value.extra["conflicts"]
        assert [(c["reason"], c["scope"]) for c in conflicts] == [
            ("drs-throttled", f"{ACCOUNT}/{REGION}"),
            ("drs-throttled", f"{OTHER_ACCOUNT}/{REGION}"),
        ]
        assert all(drs_wait(c["retry_after"]) and "3 tries" in c["message"] for c in conflicts)
        assert len(clock.waits) == 4 and all(drs_wait(w) for w in clock.waits)
        assert svc.list_executions(store=w.store).items == []
