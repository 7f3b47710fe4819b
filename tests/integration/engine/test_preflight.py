"""Starting an execution: every preflight reason at once, subsets of waves, operator 409s."""

from __future__ import annotations

import pytest

from drorch.errors import ConflictError, ValidationError
from drorch.services import executions as svc
from tests.integration.engine.harness import ids, world
from tests.support.identity import acting
from tests.support.sandbox import sid, small_fleet


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
            svc.resume(store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock)
        with pytest.raises(ConflictError):
            svc.terminate_instances(
                store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock
            )
        with pytest.raises(ConflictError):
            svc.cancel(
                store=w.store,
                execution_id=ex.id,
                audit=acting("op"),
                clock=w.clock,
                terminate_instances=True,
            )
        paused = svc.pause(store=w.store, execution_id=ex.id, audit=acting("op"), clock=w.clock)
        assert paused.status == "PAUSED"
        assert ids(1000, 0) == []


def test_cancel_of_a_drill_can_terminate_what_it_launched() -> None:
    with world(small_fleet()) as w:
        ex = w.start(w.plan("p", [("a", [sid(1), sid(2)]), ("b", [sid(3)])]))
        w.tick()
        svc.cancel(
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
