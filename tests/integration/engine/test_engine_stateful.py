"""Stateful property test: random operator actions and faults against the sandbox.

Invariants checked after every step: no server is launched more often than the engine's
batches say (so never twice for one execution), the sandbox never held more jobs or
servers than the quotas allow and DRS never had to refuse for quota, waves never start
before their dependencies complete, HELD or paused waves launch nothing, terminal
states stay terminal, and a wave never ends with a launched server whose EC2 instance is
unknown (throttling also hits the follow-up reads). At the end every execution finishes
once faults are lifted.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from drorch.domain.executions import Execution
from drorch.domain.statuses import TERMINAL_STATUSES
from drorch.errors import ConflictError
from drorch.services import execution_actions as actions
from tests.integration.engine.harness import World, active_usage, events, ids, make_world
from tests.support.identity import acting
from tests.support.sandbox import RunningSandbox, many_servers, running_sandbox

SANDBOX: dict[str, RunningSandbox] = {}
PLANS = {
    "chain": [("c1", ids(1000, 30)), ("c2", ids(1030, 120)), ("c3", ids(1150, 20))],
    "branches": [("b1", ids(1200, 40)), ("b2", ids(1240, 40)), ("b3", ids(1280, 40))],
    "wide": [("w1", ids(1400, 260))],
}
DEPENDS = {"branches": {"b2": ["b1"], "b3": ["b1"]}}
PAUSE = {"chain": ["c3"]}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(many_servers(700), clock="virtual") as sb:
        SANDBOX["sb"] = sb
        yield sb
        SANDBOX.clear()


class EngineMachine(RuleBasedStateMachine):
    """Operators and faults acting on a store + sandbox + two runners."""

    @initialize()
    def setup(self) -> None:
        sb = SANDBOX["sb"]
        sb.sandbox.reset()
        self.w: World = make_world(sb, runners=2)
        self.plans = {
            name: self.w.plan(
                name, waves, depends=DEPENDS.get(name), pause_before=PAUSE.get(name, ())
            )
            for name, waves in PLANS.items()
        }
        self.executions: list[str] = []
        self.ended: dict[str, str] = {}
        self.paused_pending: dict[str, set[str]] = {}

    def teardown(self) -> None:
        w = getattr(self, "w", None)
        if w is None:
            return
        w.sb.admin("DELETE", "faults")
        for _ in range(20):
            for ex in [w.get(i) for i in self.executions]:
                if ex.status == "PAUSED":
                    self._try(actions.resume, ex.id)
            w.drive(max_steps=3000, until=self._all_idle)
            if all(not w.get(i).needs_engine() for i in self.executions):
                break
        for execution_id in self.executions:
            assert w.get(execution_id).terminal
            found = events(w, execution_id)
            assert not any(e.data.get("code") == "ServiceQuotaExceededException" for e in found)
        self._check_launch_counts()
        w.store.close()

    def _all_idle(self) -> bool:
        for execution_id in self.executions:
            ex = self.w.get(execution_id)
            paused = ex.status == "PAUSED" and not ex.open_batches()
            if not paused and ex.needs_engine():
                return False
        return True

    def _try(self, action: Any, execution_id: str, **kw: Any) -> None:
        with contextlib.suppress(ConflictError):
            action(
                store=self.w.store,
                execution_id=execution_id,
                audit=acting("op"),
                clock=self.w.clock,
                **kw,
            )

    @rule(plan=st.sampled_from(sorted(PLANS)), recovery=st.booleans())
    def start(self, plan: str, recovery: bool) -> None:
        try:
            ex = self.w.start(self.plans[plan], type="RECOVERY" if recovery else "DRILL")
        except ConflictError:
            return
        self.executions.append(ex.id)

    @rule(data=st.data(), action=st.sampled_from(["pause", "resume", "cancel", "terminate"]))
    def operate(self, data: st.DataObject, action: str) -> None:
        if not self.executions:
            return
        execution_id = data.draw(st.sampled_from(self.executions))
        if action == "cancel":
            self._try(actions.cancel, execution_id, terminate_instances=data.draw(st.booleans()))
        elif action == "terminate":
            self._try(actions.terminate_instances, execution_id)
        else:
            self._try(getattr(actions, action), execution_id)

    @rule(steps=st.integers(1, 40))
    def run(self, steps: int) -> None:
        for _ in range(steps):
            self.w.tick()
            self.w.jump()

    @rule(servers=st.lists(st.sampled_from(ids(1000, 700)), max_size=5))
    def fail_launches(self, servers: list[str]) -> None:
        self.w.sb.admin("POST", "faults", {"fail_launches": servers})

    @rule(on=st.booleans())
    def throttle(self, on: bool) -> None:
        reads = ("DescribeJobs", "DescribeRecoveryInstances", "DescribeJobLogItems")
        rates = {op: 0.01 for op in ("StartRecovery", *reads)} if on else {}
        if on:
            self.w.sb.admin("POST", "faults", {"throttle": rates})
        else:
            self.w.sb.admin("DELETE", "faults")

    @rule(on=st.booleans())
    def stall(self, on: bool) -> None:
        self.w.sb.admin("POST", "faults", {"stall_new_jobs": on})

    @invariant()
    def quotas_hold(self) -> None:
        if not hasattr(self, "w"):
            return
        for jobs, servers in active_usage(self.w.sb).values():
            assert jobs <= 20 and servers <= 500

    @invariant()
    def executions_behave(self) -> None:
        if not hasattr(self, "w"):
            return
        for execution_id in self.executions:
            ex = self.w.get(execution_id)
            self._check_dag(ex)
            self._check_terminal(ex)
            self._check_paused(ex)
            self._check_instances_known(ex)
        self._check_launch_counts()

    def _check_dag(self, ex: Execution) -> None:
        for wave in ex.waves:
            if wave.status in ("RUNNING", "COMPLETED", "FAILED"):
                assert all(ex.wave(d).status == "COMPLETED" for d in wave.depends_on)
            if wave.status in ("PENDING", "HELD", "SKIPPED"):
                assert not any(b.wave == wave.name for b in ex.batches)

    def _check_terminal(self, ex: Execution) -> None:
        if ex.id in self.ended:
            assert ex.status == self.ended[ex.id]
        elif ex.status in TERMINAL_STATUSES:
            self.ended[ex.id] = ex.status

    def _check_paused(self, ex: Execution) -> None:
        not_started = {w.name for w in ex.waves if w.status in ("PENDING", "HELD")}
        if ex.status == "PAUSED":
            before = self.paused_pending.setdefault(ex.id, not_started)
            assert before <= not_started | {w.name for w in ex.waves if w.status == "SKIPPED"}
        else:
            self.paused_pending.pop(ex.id, None)

    def _check_instances_known(self, ex: Execution) -> None:
        for wave in ex.waves:
            if wave.status in ("COMPLETED", "FAILED"):
                unknown = [
                    s.source_server_id
                    for s in wave.servers
                    if s.status == "LAUNCHED" and not s.ec2_instance_id
                ]
                assert not unknown, f"wave {wave.name} ended without the instances of {unknown}"

    def _check_launch_counts(self) -> None:
        expected: Counter[str] = Counter()
        for execution_id in self.executions:
            ex = self.w.get(execution_id)
            for batch in ex.batches:
                if batch.kind == "LAUNCH" and batch.state in ("ACTIVE", "DONE"):
                    expected.update(batch.source_server_ids)
            per_execution = Counter(
                s
                for b in ex.batches
                if b.kind == "LAUNCH" and b.state in ("ACTIVE", "DONE")
                for s in b.source_server_ids
            )
            assert not per_execution or max(per_execution.values()) == 1
        assert Counter(self.w.launches()) == expected


def test_engine_state_machine(sandbox: RunningSandbox) -> None:
    run_state_machine_as_test(
        EngineMachine,
        settings=settings(
            max_examples=6,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
