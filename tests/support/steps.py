"""Helpers for tests of action steps: plans with actions, a crashing HTTP transport.

`SwitchExecutor` is a step executor of a test-only type (`switch`) whose service is the local
webhook receiver: it "switches" a value by POSTing it and records the previous one, and its
undo POSTs the previous value back. The receiver's scripted statuses make a call or an undo
fail, so drill cleanup's undo path runs against a real HTTP service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from drorch.adapters.http.check import HttpCheckExecutor
from drorch.domain.actions import Action
from drorch.domain.executions import Execution
from drorch.domain.plans import PlanDraft
from drorch.engine.start import build_execution, snapshot
from drorch.engine.steps.executors import ExecutorTable
from drorch.engine.steps.run import StepDriver, StepTimings
from drorch.ports.steps import StepCall, StepExecutor, StepProgress, StepState
from drorch.services.plans import get_plan, update_plan


class Crash(BaseException):
    """A process dying mid-pass: not an Exception, so nothing in the engine catches it."""


class CrashOnce(httpx.BaseTransport):
    """Real HTTP, except that the first request kills the 'process' before it is sent."""

    def __init__(self) -> None:
        self.real = httpx.HTTPTransport()
        self.crashed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.crashed:
            self.crashed = True
            raise Crash("killed between the intent and the call")
        return self.real.handle_request(request)


class SwitchExecutor:
    """Executor of the test type `switch`: POST {"set": value}; undo POSTs the old value back."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _post(self, body: dict[str, Any]) -> int:
        return httpx.post(self.url, json=body, timeout=5).status_code

    def start(self, call: StepCall) -> StepProgress:
        status = self._post({"step": call.name, "set": call.params["value"]})
        if status >= 400:
            return StepProgress(StepState.FAILED, error_code=f"HTTP{status}", error_message="no")
        changed = {"resource": f"switch {call.params['key']}", "previous": "old"}
        return StepProgress(
            StepState.SUCCEEDED, output={"set": call.params["value"]}, changed=changed
        )

    def poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        return StepProgress(StepState.SUCCEEDED, output=last.output, changed=last.changed)

    def reconcile(self, call: StepCall) -> StepProgress | None:
        return None

    def undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        status = self._post({"step": call.name, "restore": changed["previous"]})
        if status >= 400:
            return StepProgress(
                StepState.FAILED, error_code=f"HTTP{status}", error_message="restore refused"
            )
        return StepProgress(StepState.SUCCEEDED, output={"restored": changed["previous"]})


def driver(clock: Any, executors: Mapping[str, StepExecutor] | None = None) -> StepDriver:
    """A step driver with the http_check executor (and any others given)."""
    table: dict[str, StepExecutor] = {"http_check": HttpCheckExecutor()}
    table.update(executors or {})
    return StepDriver(ExecutorTable(table), clock, StepTimings(poll=5.0))


def with_actions(store: Any, plan_id: str, actions: Mapping[str, Sequence[Action]]) -> None:
    """Give the plan's waves (by name) these actions, through the plan service."""
    plan = get_plan(store=store, plan_id=plan_id)
    waves = [w.model_copy(update={"actions": list(actions.get(w.name, ()))}) for w in plan.waves]
    draft = PlanDraft(name=plan.name, waves=waves)
    update_plan(store=store, plan_id=plan_id, draft=draft, if_match=None)


def start_unchecked(
    store: Any, plan_id: str, actions: Mapping[str, Sequence[Action]], now: Any, ex_id: str
) -> Execution:
    """Start a DRILL whose actions include test-only types (no plan validation knows them)."""
    plan = get_plan(store=store, plan_id=plan_id)
    waves = [w.model_copy(update={"actions": list(actions.get(w.name, ()))}) for w in plan.waves]
    plan = plan.model_copy(update={"waves": waves})
    with store.transaction() as uow:
        groups = uow.groups.get_many(g for w in plan.waves for g in w.protection_group_ids)
        members = {g: uow.groups.members(g) for g in groups}
        inventory = uow.servers.get_many(s for ids in members.values() for s in ids)
        snap = snapshot(plan, [w.name for w in plan.waves], groups, members, inventory)
        ex = build_execution(execution_id=ex_id, type="DRILL", snap=snap, actor="t", now=now)
        uow.executions.add(ex)
        uow.executions.schedule(ex.id, now)
    return ex
