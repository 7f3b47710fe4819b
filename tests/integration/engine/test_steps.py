"""Action steps through the engine: real store, the sandbox, local HTTP services, virtual time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

import pytest

from drorch.adapters.http.check import HttpCheckExecutor
from drorch.domain.actions import Action
from drorch.domain.executions import Command
from drorch.engine.steps.executors import ExecutorTable
from drorch.engine.steps.run import StepDriver
from drorch.errors import ConflictError
from tests.integration.engine.harness import World, events, ids, make_world
from tests.support.receivers import WebhookReceiver, webhook_receiver
from tests.support.sandbox import RunningSandbox, many_servers, running_sandbox
from tests.support.steps import (
    Crash,
    CrashOnce,
    SwitchExecutor,
    driver,
    start_unchecked,
    with_actions,
)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with running_sandbox(many_servers(40), clock="virtual") as sb:
        yield sb


@pytest.fixture
def w(sandbox: RunningSandbox) -> Iterator[World]:
    world = make_world(sandbox)
    for runner in world.runners:
        runner.engine.steps = driver(world.clock)
    yield world
    world.store.close()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with webhook_receiver() as receiver:
        yield receiver


_servers = iter(range(1000, 1040, 2))  # two fresh servers of the fleet per wave
_names = itertools.count(1)


def _plan(w: World, actions: dict[str, list[Action]], waves: tuple[str, ...] = ("db",)) -> str:
    plan = w.plan(f"p{next(_names)}", [(name, ids(next(_servers), 2)) for name in waves])
    with_actions(w.store, plan, actions)
    return plan


def _decide(w: World, execution_id: str, step: str, action: str = "approve") -> None:
    now = w.clock.now()
    command = Command(action=action, actor="boss", at=now, step=step, comment="checked")  # type: ignore[arg-type]
    with w.store.transaction() as uow:
        uow.executions.add_command(execution_id, command)
        uow.executions.schedule(execution_id, now)


def _awaiting(w: World, execution_id: str) -> bool:
    return any(s.type == "approval" and s.status == "RUNNING" for s in w.get(execution_id).steps())


def test_before_steps_then_servers_then_after_steps(w: World, hook: WebhookReceiver) -> None:
    hook.answers += [503, 200]  # the check's first try fails, the second passes
    hook.bodies += [b"starting", b"bookings ok"]
    check = {"url": hook.url, "interval_seconds": 5, "body_contains": "bookings ok"}
    plan = _plan(
        w,
        {
            "db": [
                Action(name="settle", type="wait", params={"minutes": 2}),
                Action(name="check", type="http_check", phase="after", params=check),
                Action(name="sign-off", type="approval", phase="after"),
            ]
        },
    )
    ex = w.start(plan)
    w.drive(until=lambda: _awaiting(w, ex.id))
    _decide(w, ex.id, "sign-off")
    w.drive()
    done = w.get(ex.id)
    assert done.status == "COMPLETED"
    wait, http, approval = done.steps()
    assert [s.status for s in done.steps()] == ["SUCCEEDED"] * 3
    assert wait.ended_at - wait.started_at == timedelta(minutes=2)
    # Servers launch only after the before-step, after-steps start once every server is done.
    servers = done.servers()
    assert min(s.started_at for s in servers) >= wait.ended_at
    assert http.started_at >= max(s.ended_at for s in servers)
    assert http.output["tries"] == 2 and http.attempts == 1
    assert approval.decided_by == "boss" and approval.comment == "checked"
    assert len(hook.requests) == 2
    kinds = [e.kind for e in events(w, ex.id)]
    assert kinds.count("approval.requested") == 1 and "step.intent" in kinds


def test_a_failed_check_fails_its_wave_and_skips_the_rest(w: World, hook: WebhookReceiver) -> None:
    hook.answers += [500, 500]
    check = {"url": hook.url, "interval_seconds": 1, "attempts": 2}
    plan = _plan(
        w,
        {
            "db": [
                Action(name="probe", type="http_check", params=check),
                Action(name="later", type="wait", params={"minutes": 1}),
            ]
        },
        waves=("db", "app"),
    )
    ex = w.start(plan)
    w.drive()
    done = w.get(ex.id)
    probe, later = done.steps()
    assert probe.status == "FAILED" and probe.error_code == "CheckFailed"
    assert "HTTP 500" in (probe.error or "")
    assert later.status == "SKIPPED"
    assert [wave.status for wave in done.waves] == ["FAILED", "SKIPPED"]
    assert {s.status for s in done.servers()} == {"SKIPPED"}  # never launched
    assert done.status == "FAILED"
    assert not set(w.launches()) & {s.source_server_id for s in done.servers()}


def test_continue_lets_the_wave_complete_and_the_run_end_partial(
    w: World, hook: WebhookReceiver
) -> None:
    hook.answers += [404]
    check = {"url": hook.url, "attempts": 1}
    action = Action(name="soft", type="http_check", params=check, on_failure="continue")
    ex = w.start(_plan(w, {"db": [action]}))
    w.drive()
    done = w.get(ex.id)
    assert done.steps()[0].status == "FAILED"
    assert done.waves[0].status == "COMPLETED" and done.status == "PARTIAL"
    # The drill cleaned up by itself afterwards; the launches themselves all succeeded.
    assert all(s.launch_status == "LAUNCHED" for s in done.servers())


def test_an_approval_that_times_out_is_a_decline(w: World) -> None:
    gate = Action(name="gate", type="approval", timeout_minutes=30)
    ex = w.start(_plan(w, {"db": [gate]}))
    w.drive()
    done = w.get(ex.id)
    step = done.steps()[0]
    assert step.status == "FAILED" and step.error_code == "Timeout"
    assert step.ended_at - step.started_at == timedelta(minutes=30)
    assert done.waves[0].status == "FAILED" and done.status == "FAILED"


def test_drills_skip_or_simulate_as_told_and_recoveries_run(w: World) -> None:
    actions = {
        "db": [
            Action(name="skipped", type="wait", params={"minutes": 10}, in_drill="skip"),
            Action(name="simulated", type="wait", params={"minutes": 10}, in_drill="simulate"),
        ]
    }
    plan = _plan(w, actions)
    drill = w.start(plan)
    w.drive()
    done = w.get(drill.id)
    assert [s.status for s in done.steps()] == ["SKIPPED", "SIMULATED"]
    assert done.status == "COMPLETED"
    # A recovery runs both for real: ten minutes each.
    recovery = w.start(plan, "RECOVERY")
    w.drive()
    ran = w.get(recovery.id)
    assert [s.status for s in ran.steps()] == ["SUCCEEDED", "SUCCEEDED"]
    first, second = ran.steps()
    assert second.ended_at - first.started_at == timedelta(minutes=20)


def test_cancel_cancels_pending_steps_and_a_waiting_approval(w: World) -> None:
    actions = {
        "db": [
            Action(name="ask", type="approval"),
            Action(name="after", type="wait", params={"minutes": 1}, phase="after"),
        ]
    }
    ex = w.start(_plan(w, actions))
    w.drive(until=lambda: _awaiting(w, ex.id))
    with w.store.transaction() as uow:
        uow.executions.add_command(ex.id, Command(action="cancel", actor="op", at=w.clock.now()))
        uow.executions.schedule(ex.id, w.clock.now())
    w.drive()
    done = w.get(ex.id)
    assert done.status == "CANCELLED"
    assert [s.status for s in done.steps()] == ["CANCELLED", "CANCELLED"]
    assert not set(w.launches()) & {s.source_server_id for s in done.servers()}


def test_a_crash_between_intent_and_call_is_reconciled_not_repeated(
    w: World, hook: WebhookReceiver
) -> None:
    crashing = CrashOnce()
    engine = w.runners[0].engine
    engine.steps = StepDriver(ExecutorTable({"http_check": HttpCheckExecutor(crashing)}), w.clock)
    action = Action(name="probe", type="http_check", params={"url": hook.url})
    ex = w.start(_plan(w, {"db": [action]}))
    with pytest.raises(Crash):
        w.drive()
    stored = w.get(ex.id).steps()[0]
    assert stored.status == "RUNNING" and stored.intent_at and stored.called_at is None
    assert hook.requests == []  # the call never left
    # A new worker (the old one died holding the lease) finds the intent and reconciles it.
    w.clock.sleep(engine.config.lease_seconds + 1)
    engine._known.clear()
    w.drive()
    done = w.get(ex.id)
    step = done.steps()[0]
    assert step.status == "SUCCEEDED" and step.attempts == 2
    assert len(hook.requests) == 1
    kinds = [e.kind for e in events(w, ex.id)]
    assert kinds.count("step.intent") == 2 and kinds.count("step.reconciled") == 1
    assert done.status == "COMPLETED"


def test_an_outside_type_without_executor_fails_clearly(w: World) -> None:
    action = Action(
        name="hook",
        type="invoke_lambda",
        params={"function_name": "after-failover"},
        in_drill="run",
    )
    ex = w.start(_plan(w, {"db": [action]}))
    w.drive()
    step = w.get(ex.id).steps()[0]
    assert step.status == "FAILED" and step.error_code == "NoExecutor"


def _switches() -> dict[str, list[Action]]:
    return {
        "db": [
            Action(
                name="first", type="switch", params={"key": "dns", "value": "a"}, in_drill="run"
            ),
            Action(
                name="second",
                type="switch",
                phase="after",
                params={"key": "cdn", "value": "b"},
                in_drill="run",
            ),
        ]
    }


def _clean(w: World, execution_id: str) -> None:
    now = w.clock.now()
    with w.store.transaction() as uow:
        uow.executions.add_command(
            execution_id, Command(action="terminate_instances", actor="op", at=now)
        )
        uow.executions.schedule(execution_id, now)
    w.drive()


def test_drill_cleanup_undoes_steps_last_first_and_reports_a_failed_undo(
    w: World, hook: WebhookReceiver
) -> None:
    w.runners[0].engine.steps = driver(w.clock, {"switch": SwitchExecutor(hook.url)})
    plan = w.plan(f"p{next(_names)}", [("db", ids(next(_servers), 2))])
    ex = start_unchecked(w.store, plan, _switches(), w.clock.now(), "ex-undo00000001")
    w.drive()
    done = w.get(ex.id)
    assert done.status == "COMPLETED"
    assert [s.changed["resource"] for s in done.steps()] == ["switch dns", "switch cdn"]
    hook.answers += [500]  # the first undo (of `second`, the last started) is refused
    _clean(w, ex.id)
    cleaned = w.get(ex.id)
    restores = [r.json()["step"] for r in hook.requests if "restore" in r.json()]
    assert restores == ["second", "first"]
    assert cleaned.cleanup_status == "INCOMPLETE"
    assert cleaned.leftovers == ["step second (switch): switch cdn"]
    assert {s.status for s in cleaned.servers()} == {"TERMINATED"}
    first, second = cleaned.steps()
    assert first.undo and first.undo.status == "SUCCEEDED"
    assert second.undo and second.undo.status == "FAILED" and second.undo.error_code == "HTTP500"
    # Another round tries again only what was left.
    _clean(w, ex.id)
    again = w.get(ex.id)
    restores = [r.json()["step"] for r in hook.requests if "restore" in r.json()]
    assert restores == ["second", "first", "second"]
    assert again.cleanup_status == "COMPLETED" and again.leftovers == []


def test_an_action_in_an_unregistered_account_refuses_the_start(w: World) -> None:
    action = Action(
        name="hook",
        type="invoke_lambda",
        params={"function_name": "f"},
        account_id="555555555555",
        region="eu-west-1",
    )
    plan = _plan(w, {"db": [action]})
    with pytest.raises(ConflictError) as refused:
        w.start(plan)
    reasons = refused.value.extra["conflicts"]
    assert [r["reason"] for r in reasons] == ["action-account-unregistered"]
    assert "555555555555" in reasons[0]["message"]
