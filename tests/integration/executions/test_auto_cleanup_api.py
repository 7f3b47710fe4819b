"""Automatic drill cleanup through the API: the plan's hold, the start's, bad values."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.integration.executions.conftest import TERMINAL, Lab

HOLD = 0.1  # minutes of wall time: the engine's clock is the wall's, not the sandbox's


def _ended(lab: Lab, execution_id: str) -> dict[str, Any]:
    """Pump the sandbox clock until the execution has ended and its jobs are closed."""
    with lab.pump():
        return lab.wait(
            execution_id,
            lambda e: e["status"] in TERMINAL and not e["jobs"]["open"],
            "ended with no open job",
        )


def test_a_plan_with_no_hold_cleans_its_drills_up_at_the_end(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-west-2-db"])], cleanup_after_minutes=0)
    assert plan["cleanup_after_minutes"] == 0
    started = lab.start(plan["id"])
    assert started["cleanup_after_minutes"] == 0
    lab.wait_job(started["id"])

    done = lab.finish(started["id"])

    assert done["status"] == "COMPLETED" and done["cleanup_status"] == "COMPLETED"
    assert {s["status"] for s in lab.servers(done["id"])} == {"TERMINATED"}
    assert lab.act(done["id"], "terminate-instances").status_code == 409  # nothing left to do


def test_a_start_holds_the_cleanup_and_shows_when_it_is_due(lab: Lab) -> None:
    plan = lab.plan([("web", ["storefront-us-west-2-web"])])  # the lab's plans keep
    started = lab.start(plan["id"], cleanup_after_minutes=HOLD)
    assert started["cleanup_after_minutes"] == HOLD
    lab.wait_job(started["id"])

    ended = _ended(lab, started["id"])

    assert ended["cleanup_status"] == "NOT_STARTED" and ended["finished"] is False
    due = datetime.fromisoformat(ended["cleanup_due_at"])
    assert due == datetime.fromisoformat(ended["ended_at"]) + timedelta(minutes=HOLD)
    cleaned = lab.finish(started["id"])  # once the hold has passed
    assert cleaned["cleanup_status"] == "COMPLETED" and cleaned["cleanup_due_at"] is None


def test_bad_holds_are_refused_naming_the_field(lab: Lab) -> None:
    body = {"name": "bad-hold", "waves": [{"name": "w", "protection_group_ids": ["x"]}]}
    refused = lab.http.post("/api/v1/recovery-plans", json={**body, "cleanup_after_minutes": -5})
    plan = lab.plan([("db", ["payroll-us-west-2-app"])])
    start = lab.http.post(
        "/api/v1/executions",
        json={"plan_id": plan["id"], "type": "DRILL", "cleanup_after_minutes": "soon"},
    )

    assert refused.status_code == 422 and "cleanup_after_minutes" in refused.text
    assert start.status_code == 422 and "cleanup_after_minutes" in start.text
