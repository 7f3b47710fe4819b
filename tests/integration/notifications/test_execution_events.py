"""Execution notifications come from the committed timeline; `stuck` once per episode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drorch.bootstrap import notification_dispatcher
from drorch.config import Settings
from drorch.domain.notifications import (
    ChannelDraft,
    DeliveryStatus,
    EventKind,
    SubscriptionDraft,
    WebhookConfig,
)
from drorch.ports.store import DeliveryQuery
from drorch.services import execution_actions as actions
from drorch.services import notification_setup as setup
from drorch.services.notify_dispatcher import Dispatcher
from tests.integration.engine.harness import World, ids, make_world
from tests.support.identity import acting
from tests.support.receivers import WebhookReceiver, webhook_receiver
from tests.support.sandbox import RunningSandbox, many_servers, running_sandbox

K = EventKind
WATCHED = [K.EXECUTION_STARTED, K.EXECUTION_PAUSED, K.EXECUTION_PARTIAL, K.EXECUTION_STUCK]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    """One sandbox on a virtual clock for the module."""
    with running_sandbox(many_servers(12), clock="virtual") as sb:
        yield sb


@pytest.fixture
def world(sandbox: RunningSandbox) -> Iterator[World]:
    """A fresh store and engine on the module's sandbox."""
    sandbox.admin("DELETE", "faults")
    w = make_world(sandbox)
    yield w
    w.store.close()


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    """A webhook receiver answering 200."""
    with webhook_receiver() as receiver:
        yield receiver


def dispatcher_for(w: World, hook: WebhookReceiver, plan_id: str | None = None) -> Dispatcher:
    """A dispatcher on the world's store and clock, with one webhook channel subscribed."""
    settings = Settings(drs_enabled=False, doctor_stall_minutes=30)
    channel = setup.create_channel(
        store=w.store, draft=ChannelDraft(name="ops", config=WebhookConfig(url=hook.url))
    ).channel
    draft = SubscriptionDraft(channel_id=channel.id, plan_id=plan_id, events=WATCHED)
    setup.create_subscription(store=w.store, draft=draft)
    return notification_dispatcher(settings, w.store, clock=w.clock, owner="notify")


def kinds(hook: WebhookReceiver) -> list[tuple[str, Any]]:
    """(kind, execution id) of every notification received, in order."""
    return [(r.json()["kind"], r.json()["subject"]["id"]) for r in hook.requests]


def test_a_drill_notifies_start_pause_and_partial_from_its_timeline(
    world: World, hook: WebhookReceiver
) -> None:
    w = world
    a, b = ids(1000, 2), ids(1002, 2)
    plan = w.plan("feed", [("a", a), ("b", b)], depends={"a": [], "b": []}, pause_before=["b"])
    other = w.plan("other", [("x", ids(1004, 1))])
    dispatcher = dispatcher_for(w, hook, plan_id=plan)
    w.sb.admin("POST", "faults", {"fail_launches": [a[0]]})
    ex = w.start(plan)
    w.drive(until=w.idle(ex.id))
    dispatcher.run_once()
    assert kinds(hook) == [("execution.started", ex.id), ("execution.paused", ex.id)]
    actions.resume(
        store=w.store, execution_id=ex.id, audit=acting("op", comment="go"), clock=w.clock
    )
    w.drive()
    quiet = w.start(other)  # another plan: not this subscription's
    w.drive()
    dispatcher.run_once()
    assert w.get(ex.id).status == "PARTIAL" and w.get(quiet.id).status == "COMPLETED"
    assert kinds(hook)[2:] == [("execution.partial", ex.id)]
    document = hook.requests[2].json()
    assert document["payload"]["execution_type"] == "DRILL"
    assert document["link"].endswith(f"/executions/{ex.id}")
    assert dispatcher.run_once().raised == 0  # the feed does not read anything twice
    assert len(hook.requests) == 3


def test_a_stuck_execution_notifies_once_per_episode(world: World, hook: WebhookReceiver) -> None:
    w = world
    plan = w.plan("stuck", [("a", ids(1008, 2)), ("b", ids(1010, 2))])
    dispatcher = dispatcher_for(w, hook)
    ex = w.start(plan)
    w.tick()  # the run begins and launches wave a, then no worker advances it
    dispatcher.run_once()
    assert kinds(hook) == [("execution.started", ex.id)]
    w.clock.sleep(31 * 60)
    assert dispatcher.run_once().stuck == [ex.id]
    w.clock.sleep(120)
    assert dispatcher.run_once().stuck == []  # the same episode: no second notice
    stuck = [r.json() for r in hook.requests if r.json()["kind"] == "execution.stuck"]
    assert len(stuck) == 1 and "no progress for 31 min" in stuck[0]["payload"]["reason"]
    w.drive(until=lambda: w.get(ex.id).wave("b").status == "RUNNING")  # progress again
    w.clock.sleep(61)
    dispatcher.run_once()  # the episode ends
    w.clock.sleep(31 * 60)
    assert dispatcher.run_once().stuck == [ex.id]  # a new episode notifies again
    with w.store.read() as uow:
        found = uow.notifications.deliveries(DeliveryQuery(kind="execution.stuck")).items
    assert len(found) == 2 and all(d.status is DeliveryStatus.DELIVERED for d in found)
