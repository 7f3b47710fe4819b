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
    # Deliveries go out in parallel, so their arrival order is not promised.
    assert sorted(kinds) == ["execution.completed", "execution.started"]
    document = hook.requests[1].json()
    assert document["subject"]["id"] == execution["id"]
    assert document["link"] == f"{lab.url}/executions/{execution['id']}"
    history = lab.http.get("/api/v1/notifications", params={"subject_id": execution["id"]})
    assert {d["status"] for d in history.json()["items"]} == {"DELIVERED"}
