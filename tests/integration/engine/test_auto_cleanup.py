"""Drills clean up by themselves when they end, after their hold; `keep` waits for a person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from drorch.domain.executions import Event
from drorch.domain.notifications import TIMELINE_KINDS, EventKind
from drorch.services import execution_actions as actions
from tests.integration.engine.harness import World, ids, make_world
from tests.support.identity import acting
from tests.support.sandbox import RunningSandbox, many_servers, running_sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    """One sandbox for the module; each test drills servers of its own."""
    with running_sandbox(many_servers(12), clock="virtual") as running:
        yield running


@pytest.fixture
def w(sb: RunningSandbox) -> Iterator[World]:
    """A fresh store and engine over the module's sandbox."""
    made = make_world(sb)
    try:
        yield made
    finally:
        made.store.close()


def _events(w: World, execution_id: str) -> list[Event]:
    with w.store.read() as uow:
        return uow.executions.events_since(execution_id, 0, 1000)


def test_a_drill_cleans_up_as_soon_as_it_ends_by_default(w: World) -> None:
    plan = w.plan("auto", [("app", ids(1000, 2))], cleanup_after=0)

    ex = w.start(plan)
    w.drive()

    done = w.get(ex.id)
    assert done.status == "COMPLETED" and done.cleanup_status == "COMPLETED"
    assert {s.status for s in done.servers()} == {"TERMINATED"}
    assert done.cleanup_started_at == done.ended_at  # started in the pass that ended it
    started = [e for e in _events(w, ex.id) if e.kind == "cleanup.cleanup_start"]
    assert len(started) == 1 and "automatic" in started[0].message
    assert not done.needs_engine()


def test_a_hold_from_the_start_overrides_the_plan_and_delays_the_cleanup(w: World) -> None:
    plan = w.plan("held", [("app", ids(1002, 2))])  # the plan keeps; the start says 30 min

    ex = w.start(plan, cleanup_after_minutes=30)
    w.drive(until=lambda: w.get(ex.id).terminal)

    ended = w.get(ex.id)
    assert ended.cleanup_status == "NOT_STARTED" and ended.ended_at is not None
    due = ended.ended_at + timedelta(minutes=30)
    assert ended.cleanup_due_at == due
    with w.store.read() as uow:
        assert uow.executions.next_due() == due  # the runner looks again when the hold ends
    w.drive()
    done = w.get(ex.id)
    assert done.cleanup_status == "COMPLETED"
    assert done.cleanup_started_at is not None and done.cleanup_started_at >= due
    assert {s.status for s in done.servers()} == {"TERMINATED"}


def test_keep_holds_the_instances_until_an_operator_starts_the_cleanup(w: World) -> None:
    plan = w.plan("kept", [("app", ids(1004, 1))], cleanup_after=0)

    ex = w.start(plan, cleanup_after_minutes="keep")
    w.drive()

    kept = w.get(ex.id)
    assert kept.cleanup_status == "NOT_STARTED" and kept.cleanup_due_at is None
    assert {s.status for s in kept.servers()} == {"LAUNCHED"}
    assert not kept.needs_engine()
    actions.terminate_instances(
        store=w.store, execution_id=ex.id, audit=acting("tester"), clock=w.clock
    )
    w.drive()
    assert w.get(ex.id).cleanup_status == "COMPLETED"


def test_a_cancelled_drill_cleans_up_too(w: World) -> None:
    plan = w.plan("cancelled", [("a", ids(1005, 1)), ("b", ids(1006, 1))], cleanup_after=0)

    ex = w.start(plan)
    w.drive(until=lambda: any(s.status == "LAUNCHED" for s in w.get(ex.id).servers()))
    actions.cancel(store=w.store, execution_id=ex.id, audit=acting("tester"), clock=w.clock)
    w.drive()

    done = w.get(ex.id)
    assert done.status == "CANCELLED" and done.cleanup_status == "COMPLETED"
    assert done.leftovers == []


def test_a_terminate_that_fails_leaves_the_instance_listed_and_raises_the_notice(
    w: World, sb: RunningSandbox
) -> None:
    failing, fine = ids(1007, 2)
    assert sb.admin("POST", "faults", {"fail_terminations": [failing]}).status_code == 200
    plan = w.plan("leaky", [("app", [failing, fine])], cleanup_after=0)

    ex = w.start(plan)
    w.drive()

    done = w.get(ex.id)
    left = next(s for s in done.servers() if s.source_server_id == failing)
    assert done.cleanup_status == "INCOMPLETE"
    assert done.leftovers == [left.recovery_instance_id]
    assert next(s for s in done.servers() if s.source_server_id == fine).status == "TERMINATED"
    kinds = {e.kind for e in _events(w, ex.id)}
    assert "cleanup.cleanup_leftovers" in kinds
    assert TIMELINE_KINDS["cleanup.cleanup_leftovers"] == EventKind.CLEANUP_INCOMPLETE
    sb.admin("DELETE", "faults")
