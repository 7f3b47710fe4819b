"""Approval steps through the API: who may decide per execution type, decline, audit, CLI view."""

from __future__ import annotations

import itertools
import json
from typing import Any

from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.domain.identity import Role
from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, Lab
from tests.integration.executions.test_execution_notifications import wait_for_kinds
from tests.support.receivers import webhook_receiver
from tests.support.server import api_client, ensure_user, sign_in

_n = itertools.count(1)


def _approval_plan(lab: Lab, *, on_failure: str = "fail_wave") -> dict[str, Any]:
    """A plan of one action-only wave (an approval), then a wave of servers after it."""
    body = {
        "name": f"approve-{next(_n):03d}",
        "waves": [
            {
                "name": "gate",
                "actions": [
                    {
                        "name": "go-ahead",
                        "type": "approval",
                        "params": {"prompt": "Is the standby data good?"},
                        "on_failure": on_failure,
                    }
                ],
            },
            {"name": "db", "protection_group_ids": [lab.groups["payroll-us-west-2-db"]]},
        ],
    }
    response = lab.http.post("/api/v1/recovery-plans", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _step(execution: dict[str, Any], wave: str = "gate") -> dict[str, Any]:
    found: dict[str, Any] = next(w for w in execution["waves"] if w["name"] == wave)["steps"][0]
    return found


def _awaiting(lab: Lab, execution_id: str) -> dict[str, Any]:
    return lab.wait(execution_id, lambda e: _step(e)["awaiting_approval"], "approval requested")


def _decide(http: Any, execution_id: str, decision: str, comment: str | None = None) -> Any:
    path = f"{EXECUTIONS}/{execution_id}/steps/go-ahead/{decision}"
    return http.post(path, json={"comment": comment} if comment else None)


def test_a_drill_approval_is_decided_by_an_operator_not_a_viewer(lab: Lab) -> None:
    plan = _approval_plan(lab)
    started = lab.start(plan["id"])
    _awaiting(lab, started["id"])
    viewer = ensure_user(lab.server.data_dir, "approval-viewer", Role.VIEWER)
    operator = ensure_user(lab.server.data_dir, "approval-operator", Role.OPERATOR)
    with api_client(lab.server, token=sign_in(lab.server.base_url, viewer)) as as_viewer:
        refused = _decide(as_viewer, started["id"], "approve")
        assert problem(refused, 403)["permission"] == "drills:approve"
    with api_client(lab.server, token=sign_in(lab.server.base_url, operator)) as as_operator:
        answer = _decide(as_operator, started["id"], "approve", "data checked")
        assert answer.status_code == 200, answer.text
    step = _step(lab.get(started["id"]))
    assert step["status"] == "SUCCEEDED" and step["decided_by"] == "approval-operator"
    assert step["comment"] == "data checked" and not step["awaiting_approval"]
    # Decided once: a second decision has nothing to decide.
    assert problem(_decide(lab.http, started["id"], "decline"), 409)
    done = lab.finish(started["id"])
    assert done["status"] == "COMPLETED", done
    audit = lab.http.get("/api/v1/audit", params={"target_id": started["id"]}).json()["items"]
    seen = [(r["action"], r["outcome"], r["username"], r["comment"]) for r in audit][::-1]
    assert ("execution.approve", "denied", "approval-viewer", None) in seen
    assert ("execution.approve", "success", "approval-operator", "data checked") in seen
    kinds = [
        e["kind"] for e in lab.http.get(f"{EXECUTIONS}/{started['id']}/events").json()["items"]
    ]
    assert "approval.requested" in kinds and "step.step_approve" in kinds


def test_a_recovery_approval_needs_a_recovery_manager_and_a_decline_fails_the_wave(
    lab: Lab,
) -> None:
    plan = _approval_plan(lab)
    started = lab.start(plan["id"], "RECOVERY")
    _awaiting(lab, started["id"])
    operator = ensure_user(lab.server.data_dir, "approval-operator-2", Role.OPERATOR)
    manager = ensure_user(lab.server.data_dir, "approval-manager", Role.RECOVERY_MANAGER)
    with api_client(lab.server, token=sign_in(lab.server.base_url, operator)) as as_operator:
        refused = _decide(as_operator, started["id"], "approve")
        assert problem(refused, 403)["permission"] == "recoveries:approve"
    with api_client(lab.server, token=sign_in(lab.server.base_url, manager)) as as_manager:
        answer = _decide(as_manager, started["id"], "decline", "restore looks wrong")
        assert answer.status_code == 200, answer.text
    done = lab.finish(started["id"])
    gate, db = done["waves"]
    assert gate["status"] == "FAILED" and db["status"] == "SKIPPED"
    assert done["status"] == "FAILED"
    step = _step(done)
    assert step["status"] == "FAILED" and step["error_code"] == "Declined"
    assert step["decided_by"] == "approval-manager"
    assert lab.servers(done["id"]) and {s["status"] for s in lab.servers(done["id"])} == {"SKIPPED"}


def test_deciding_an_unknown_step_or_execution_is_404(lab: Lab) -> None:
    plan = _approval_plan(lab, on_failure="continue")
    started = lab.start(plan["id"])
    _awaiting(lab, started["id"])
    problem(lab.http.post(f"{EXECUTIONS}/{started['id']}/steps/nope/approve"), 404)
    problem(_decide(lab.http, "ex-000000000000", "approve"), 404)
    assert _decide(lab.http, started["id"], "decline").status_code == 200
    done = lab.finish(started["id"])
    # `continue`: the declined approval fails only itself; the waves complete, the run is PARTIAL.
    assert [w["status"] for w in done["waves"]] == ["COMPLETED", "COMPLETED"]
    assert done["status"] == "PARTIAL"


def test_the_cli_shows_steps_and_approves_with_a_comment(lab: Lab) -> None:
    runner = CliRunner()
    env = {"DRORCH_TOKEN": lab.server.token, "COLUMNS": "200"}

    def drorch(*args: str) -> Any:
        return runner.invoke(app, [*args, "--api-url", lab.url], env=env)

    plan = _approval_plan(lab)
    started = lab.start(plan["id"])
    _awaiting(lab, started["id"])
    shown = drorch("exec", "get", started["id"])
    assert shown.exit_code == 0, shown.stderr
    assert (
        "Steps" in shown.stdout
        and "go-ahead" in shown.stdout
        and "awaiting approval" in shown.stdout
    )
    approved = drorch(
        "exec", "approve", started["id"], "go-ahead", "--comment", "looks right", "--json"
    )
    assert approved.exit_code == 0, approved.stderr
    assert _step(json.loads(approved.stdout))["decided_by"] == "admin"
    again = drorch("exec", "decline", started["id"], "go-ahead")
    assert again.exit_code != 0 and "not awaiting" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1  # one line, non-zero exit
    lab.finish(started["id"])


def test_action_types_and_plan_validation_name_param_fields(lab: Lab) -> None:
    types = {t["name"]: t for t in lab.http.get("/api/v1/action-types").json()}
    assert {"wait", "approval", "http_check", "invoke_lambda"} <= set(types)
    assert types["http_check"]["params_schema"]["required"] == ["url"]
    assert types["invoke_lambda"]["drill_default"] == "simulate"
    body = {
        "name": "bad-actions",
        "waves": [
            {
                "name": "gate",
                "actions": [
                    {"name": "w", "type": "wait", "params": {"minutes": -1}},
                    {"name": "w", "type": "teleport"},
                ],
            }
        ],
    }
    checked = lab.http.post("/api/v1/recovery-plans/validate", json=body).json()
    paths = [e["path"] for e in checked["errors"]]
    assert paths == [
        "waves[0].actions[0].params.minutes",
        "waves[0].actions[1].name",
        "waves[0].actions[1].type",
    ]
    refused = problem(lab.http.post("/api/v1/recovery-plans", json=body), 422)
    assert [e["path"] for e in refused["errors"]] == paths


def test_an_approval_raises_the_awaits_approval_notification(lab: Lab) -> None:
    plan = _approval_plan(lab)
    with webhook_receiver() as hook:
        body = {"name": f"approvals-{plan['id']}", "config": {"type": "webhook", "url": hook.url}}
        channel = lab.http.post("/api/v1/notification-channels", json=body).json()
        events = ["execution.awaiting_approval"]
        subscription = {"channel_id": channel["id"], "plan_id": plan["id"], "events": events}
        assert lab.http.post("/api/v1/notification-subscriptions", json=subscription).is_success
        started = lab.start(plan["id"])
        _awaiting(lab, started["id"])
        kinds = wait_for_kinds(hook, 1, lab)
        document = hook.requests[0].json()
    assert kinds == ["execution.awaiting_approval"]
    assert document["subject"]["id"] == started["id"]
    assert document["payload"]["wave"] == "gate" and "go-ahead" in document["payload"]["message"]
    assert _decide(lab.http, started["id"], "approve").status_code == 200
    lab.finish(started["id"])
