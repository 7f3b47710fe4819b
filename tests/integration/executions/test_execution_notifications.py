"""Inside `drorch serve`, the background dispatcher tells a webhook how a drill went."""

from __future__ import annotations

import time

import pytest

from tests.integration.executions.conftest import WAIT_LIMIT, Lab
from tests.support.receivers import WebhookReceiver, webhook_receiver


def wait_for_kinds(hook: WebhookReceiver, count: int, lab: Lab) -> list[str]:
    """The kinds received once `count` notifications arrived (the dispatcher polls each second)."""
    deadline = time.monotonic() + WAIT_LIMIT
    while len(hook.requests) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"only {len(hook.requests)} notifications arrived\n{lab.server.log()}")
        time.sleep(0.05)
    return [r.json()["kind"] for r in hook.requests]


def test_a_drill_started_and_completed_reaches_a_subscribed_webhook(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])])
    with webhook_receiver() as hook:
        body = {"name": f"hook-{plan['id']}", "config": {"type": "webhook", "url": hook.url}}
        channel = lab.http.post("/api/v1/notification-channels", json=body).json()
        events = ["execution.started", "execution.completed", "execution.failed"]
        subscription = {"channel_id": channel["id"], "plan_id": plan["id"], "events": events}
        assert lab.http.post("/api/v1/notification-subscriptions", json=subscription).is_success
        execution = lab.start(plan["id"])
        done = lab.finish(execution["id"])
        kinds = wait_for_kinds(hook, 2, lab)
    assert done["status"] == "COMPLETED"
    # The dispatcher sends due deliveries from a pool: when both are due in one poll (a busy
    # machine lets the drill end first), they may arrive in either order.
    assert sorted(kinds) == ["execution.completed", "execution.started"]
    document = next(r.json() for r in hook.requests if r.json()["kind"] == "execution.completed")
    assert document["subject"]["id"] == execution["id"]
    assert document["link"] == f"{lab.url}/executions/{execution['id']}"
    # The dispatcher records DELIVERED once the receiver has answered, just after it got the body.
    assert delivered(lab, execution["id"]) == {"DELIVERED"}


def delivered(lab: Lab, execution_id: str) -> set[str]:
    """The statuses of the execution's deliveries once none is still PENDING (5 s at most)."""
    statuses: set[str] = set()
    for _ in range(50):
        history = lab.http.get("/api/v1/notifications", params={"subject_id": execution_id})
        statuses = {d["status"] for d in history.json()["items"]}
        if "PENDING" not in statuses:
            return statuses
        time.sleep(0.1)
    return statuses
