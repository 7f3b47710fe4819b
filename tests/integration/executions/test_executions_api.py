"""Executions through a real server and its embedded sandbox: run, steer, clean up, refuse."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from drorch.domain.identity import Role
from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, Lab, settled
from tests.support.server import api_client, ensure_user, sign_in


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _launch_span(servers: list[dict[str, Any]]) -> float:
    """Seconds from the first launch start to the last server launched, by the API's times."""
    first = min(_time(s["started_at"]) for s in servers)
    last = max(_time(s["ended_at"]) for s in servers if s["launch_status"] == "LAUNCHED")
    return round((last - first).total_seconds(), 3)


def test_drill_completes_then_terminate_instances_cleans_up(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])], rto_minutes=120)
    started = lab.start(plan["id"])
    assert started["status"] == "PENDING" and started["type"] == "DRILL"
    assert [w["name"] for w in started["waves"]] == ["db"]
    location = lab.http.get(f"{EXECUTIONS}/{started['id']}")
    assert location.status_code == 200
    lab.wait_job(started["id"])
    lab.advance()
    done = lab.finish(started["id"])
    assert done["status"] == "COMPLETED" and done["cleanup_status"] == "NOT_STARTED"
    launched = lab.servers(done["id"])
    assert done["counts"] == {"LAUNCHED": len(launched)} == done["waves"][0]["counts"]
    for server in launched:
        assert server["status"] == "LAUNCHED" and server["launch_status"] == "LAUNCHED"
        assert server["job_id"] and server["recovery_instance_id"] and server["ec2_instance_id"]
        assert server["wave"] == "db"
    jobs = lab.jobs(done["id"])
    assert [(j["kind"], j["job_status"]) for j in jobs] == [("LAUNCH", "COMPLETED")]
    assert done["jobs"] == {"total": 1, "open": 0}
    assert done["timings"]["within_rto"] is True and done["timings"]["paused_seconds"] == 0
    assert done["timings"]["rto_achieved_seconds"] == _launch_span(launched)

    cleanup = lab.act(done["id"], "terminate-instances")
    assert cleanup.status_code == 200, cleanup.text
    assert cleanup.json()["cleanup_status"] in ("IN_PROGRESS", "COMPLETED")
    cleaned = lab.finish(done["id"])
    assert cleaned["cleanup_status"] == "COMPLETED" and cleaned["leftovers"] == []
    terminated = lab.servers(done["id"])
    assert {s["status"] for s in terminated} == {"TERMINATED"}
    terminate_job = lab.jobs(done["id"], kind="TERMINATE")[0]["job_id"]
    for before, after in zip(launched, terminated, strict=True):
        # The launch's evidence survives cleanup; the termination is recorded beside it.
        launch = ("started_at", "ended_at", "launch_status", "job_id", "ec2_instance_id")
        assert {k: after[k] for k in launch} == {k: before[k] for k in launch}
        assert after["terminate_job_id"] == terminate_job
        assert after["terminated_at"] > after["ended_at"]
    assert cleaned["timings"] == done["timings"]
    assert [j["kind"] for j in lab.jobs(done["id"])] == ["LAUNCH", "TERMINATE"]
    problem(lab.act(done["id"], "terminate-instances"), 409)


def test_pause_holds_the_next_wave_until_resume(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-east-1-db"]), ("app", ["storefront-us-east-1-app"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.wait_job(execution_id)
    paused = lab.act(execution_id, "pause")
    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "PAUSED"
    problem(lab.act(execution_id, "pause"), 409)
    lab.advance()
    held = lab.wait(
        execution_id, lambda e: e["waves"][0]["status"] == "COMPLETED", "wave db completed"
    )
    assert held["status"] == "PAUSED" and held["waves"][1]["status"] != "RUNNING"
    resumed = lab.act(execution_id, "resume", None)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "RUNNING"
    done = lab.finish(execution_id)
    assert done["status"] == "COMPLETED"
    # The held wave started only after the operator resumed.
    events = lab.http.get(f"{EXECUTIONS}/{execution_id}/events", params={"limit": 500}).json()
    resumed_at = max(e["at"] for e in events["items"] if e["actor"] == "admin")
    assert done["waves"][1]["started_at"] >= resumed_at
    assert done["waves"][1]["started_at"] >= done["waves"][0]["ended_at"]
    # The pause lies inside the launch window, so RTO achieved leaves exactly it out.
    at = {e["kind"]: e["at"] for e in events["items"]}
    paused = (_time(at["execution.resume"]) - _time(at["execution.pause"])).total_seconds()
    assert done["timings"]["paused_seconds"] == pytest.approx(paused, abs=0.002)
    expected = _launch_span(lab.servers(execution_id)) - done["timings"]["paused_seconds"]
    assert done["timings"]["rto_achieved_seconds"] == pytest.approx(expected, abs=0.002)
    assert done["timings"]["within_rto"] is None  # the plan has no RTO target


def test_cancel_with_terminate_ends_cancelled_and_cleaned(lab: Lab) -> None:
    plan = lab.plan([("app", ["payroll-us-west-2-app"]), ("web", ["payroll-us-west-2-web"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.wait_job(execution_id)
    cancel = lab.act(execution_id, "cancel", {"terminate_instances": True})
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] in ("CANCELLING", "CANCELLED")
    assert cancel.json()["terminate_on_cancel"] is True
    done = lab.finish(execution_id)
    assert done["status"] == "CANCELLED" and done["cleanup_status"] == "COMPLETED"
    web = lab.servers(execution_id, wave="web")
    assert web and not any(s["job_id"] for s in web)
    assert {s["wave"] for s in web} == {"web"} and done["waves"][1]["server_count"] == len(web)
    assert [j["kind"] for j in lab.jobs(execution_id)] == ["LAUNCH", "TERMINATE"]
    problem(lab.act(execution_id, "resume"), 409)


def test_preflight_lists_every_reason(lab: Lab) -> None:
    plan = lab.plan([("app", ["storefront-us-west-2-app"])])
    refused = problem(lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL"}), 409)
    assert [c["reason"] for c in refused["conflicts"]] == ["replication-unhealthy"]
    assert all(c["message"] for c in refused["conflicts"])
    first = lab.start(plan["id"], allow_unhealthy=True)
    again = lab.http.post(
        EXECUTIONS, json={"plan_id": plan["id"], "type": "RECOVERY", "allow_unhealthy": False}
    )
    reasons = {c["reason"] for c in problem(again, 409)["conflicts"]}
    assert {"plan-running", "server-busy"} <= reasons
    lab.act(first["id"], "cancel")
    assert settled(lab.finish(first["id"]))


def test_list_filters_and_pages(lab: Lab) -> None:
    plan = lab.plan([("web", ["storefront-us-west-2-web"])])
    ids = []
    alice = ensure_user(lab.server.data_dir, "alice", Role.OPERATOR)
    spoofed = {"X-Drorch-Actor": "mallory"}  # a header nobody trusts any more
    with api_client(lab.server, token=sign_in(lab.server.base_url, alice)) as as_alice:
        for http, who in ((lab.http, "admin"), (as_alice, "alice")):
            body = {"plan_id": plan["id"], "type": "DRILL", "comment": f"drill by {who}"}
            started = http.post(EXECUTIONS, json=body, headers=spoofed)
            assert started.status_code == 201 and started.json()["started_by"] == who
            cancel = f"{EXECUTIONS}/{started.json()['id']}/cancel"
            assert as_alice.post(cancel, json={"comment": "enough"}).status_code == 200
            lab.finish(started.json()["id"])
            ids.append(started.json()["id"])
    page = lab.http.get(EXECUTIONS, params={"plan_id": plan["id"], "limit": 1}).json()
    assert [e["id"] for e in page["items"]] == [ids[1]] and page["next_cursor"]
    rest = lab.http.get(
        EXECUTIONS, params={"plan_id": plan["id"], "limit": 1, "cursor": page["next_cursor"]}
    ).json()
    assert [e["id"] for e in rest["items"]] == [ids[0]]
    cancelled = lab.http.get(EXECUTIONS, params={"plan_id": plan["id"], "status": "CANCELLED"})
    assert {e["id"] for e in cancelled.json()["items"]} == set(ids)
    recoveries = lab.http.get(EXECUTIONS, params={"plan_id": plan["id"], "type": "RECOVERY"})
    assert recoveries.json()["items"] == []
    events = lab.http.get(f"{EXECUTIONS}/{ids[1]}/events", params={"limit": 1}).json()
    assert len(events["items"]) == 1 and events["next_cursor"]
    assert events["items"][0]["kind"] == "execution.created"
    timeline = lab.http.get(f"{EXECUTIONS}/{ids[0]}/events").json()["items"]
    assert {"admin", "alice"} <= {e["actor"] for e in timeline}
    assert "mallory" not in {e["actor"] for e in timeline}
    comments = {e["kind"]: e["data"].get("comment") for e in timeline if e["actor"] != "drorch"}
    assert comments["execution.created"] == "drill by admin"
    assert "enough" in comments.values()


def test_bad_input(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-west-2-db"])])
    missing = problem(
        lab.http.post(EXECUTIONS, json={"plan_id": "rp-000000000000", "type": "DRILL"}), 404
    )
    assert "rp-000000000000" in missing["detail"]
    bad_type = problem(lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "TEST"}), 422)
    assert bad_type["errors"][0]["path"] == "type"
    extra = problem(
        lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL", "force": True}),
        422,
    )
    assert extra["errors"][0] == {"path": "force", "message": "unknown field", "in": "body"}
    no_type = problem(lab.http.post(EXECUTIONS, json={"plan_id": plan["id"]}), 422)
    assert no_type["errors"][0]["path"] == "type"
    problem(
        lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL", "waves": ["x"]}),
        422,
    )
    problem(
        lab.http.post(EXECUTIONS, content=b"{", headers={"content-type": "application/json"}), 400
    )
    for path in ("", "/events", "/stream", "/servers", "/jobs", "/timeline"):
        problem(lab.http.get(f"{EXECUTIONS}/ex-000000000000{path}"), 404)
    for action in ("pause", "resume", "cancel", "terminate-instances"):
        problem(lab.act("ex-000000000000", action), 404)
    problem(lab.http.get(EXECUTIONS, params={"status": "DONE"}), 422)
    problem(lab.http.get(EXECUTIONS, params={"limit": 0}), 422)
    problem(lab.act("ex-000000000000", "cancel", {"terminate": True}), 422)
    assert lab.http.get(EXECUTIONS, params={"plan_id": plan["id"]}).json()["items"] == []


def test_a_recovery_is_started_and_steered_only_with_the_recovery_permissions(lab: Lab) -> None:
    plan = lab.plan([("app", ["storefront-us-east-1-app"])])
    manager = ensure_user(lab.server.data_dir, "planner-1", Role.PLAN_MANAGER)
    with api_client(lab.server, token=sign_in(lab.server.base_url, manager)) as as_manager:
        body = {"plan_id": plan["id"], "type": "RECOVERY"}
        assert problem(as_manager.post(EXECUTIONS, json=body), 403)["permission"] == (
            "recoveries:start"
        )
        recovery = lab.start(plan["id"], "RECOVERY", comment="region lost")
        for action, needed in (
            ("pause", "recoveries:operate"),
            ("cancel", "recoveries:operate"),
            ("terminate-instances", "recoveries:terminate"),
        ):
            refused = as_manager.post(f"{EXECUTIONS}/{recovery['id']}/{action}")
            assert problem(refused, 403)["permission"] == needed, action
    assert lab.act(recovery["id"], "cancel", {"comment": "drill it instead"}).status_code == 200
    assert lab.finish(recovery["id"])["status"] == "CANCELLED"
    audit = lab.http.get("/api/v1/audit", params={"target_id": recovery["id"]}).json()["items"]
    seen = [(r["action"], r["outcome"], r["username"], r["comment"]) for r in audit][::-1]
    assert seen == [
        ("execution.start", "success", "admin", "region lost"),
        ("execution.pause", "denied", "planner-1", None),
        ("execution.cancel", "denied", "planner-1", None),
        ("execution.terminate_instances", "denied", "planner-1", None),
        ("execution.cancel", "success", "admin", "drill it instead"),
    ]
