"""POST /api/v1/executions/preflight through a real server and its embedded sandbox."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.integration.conftest import problem
from tests.integration.executions.conftest import ADMIN, EXECUTIONS, Lab, settled
from tests.support.server import db_path

PREFLIGHT = f"{EXECUTIONS}/preflight"


def preflight(lab: Lab, plan_id: str, type: str = "DRILL", **fields: Any) -> dict[str, Any]:
    """POST a preflight (200 expected) and return its body."""
    response = lab.http.post(PREFLIGHT, json={"plan_id": plan_id, "type": type, **fields})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def fingerprint(lab: Lab) -> tuple[list[str], list[str]]:
    """Every row outside the engine's tables, and the id of every execution.

    The runner keeps updating executions other tests left behind, so those rows may move;
    a preflight must neither add an execution nor touch anything else.
    """
    conn = sqlite3.connect(f"file:{db_path(lab.server.data_dir)}?mode=ro", uri=True)
    try:
        rows = [r for r in conn.iterdump() if not r.startswith('INSERT INTO "execution')]
        ids = [row[0] for row in conn.execute("SELECT id FROM executions ORDER BY id")]
    finally:
        conn.close()
    return rows, ids


def executions_of(lab: Lab, plan_id: str) -> list[dict[str, Any]]:
    """The plan's executions, as the API lists them."""
    items: list[dict[str, Any]] = lab.http.get(EXECUTIONS, params={"plan_id": plan_id}).json()[
        "items"
    ]
    return items


def test_a_blocked_preflight_gives_the_reasons_a_start_refuses_with(lab: Lab) -> None:
    plan = lab.plan([("app", ["storefront-us-west-2-app"])])
    before = fingerprint(lab)
    blocked = preflight(lab, plan["id"])
    assert blocked["ok"] is False and blocked["plan_name"] == plan["name"]
    assert {r["reason"] for r in blocked["reasons"]} == {"replication-unhealthy"}
    assert all(r["source_server_id"] and r["message"] for r in blocked["reasons"])
    assert blocked["warnings"] == []
    lenient = preflight(lab, plan["id"], allow_unhealthy=True)
    assert lenient["ok"] is True and lenient["reasons"] == []
    assert [w["reason"] for w in lenient["warnings"]] == [r["reason"] for r in blocked["reasons"]]
    assert fingerprint(lab) == before and executions_of(lab, plan["id"]) == []
    refused = problem(lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL"}), 409)
    assert refused["conflicts"] == blocked["reasons"]


def test_a_passing_preflight_forecasts_the_run_and_sees_it_running(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"]), ("app", ["payroll-us-west-2-app"])])
    before = fingerprint(lab)
    passing = preflight(lab, plan["id"], "RECOVERY")
    assert passing["ok"] is True and passing["type"] == "RECOVERY"
    assert passing["reasons"] == [] and passing["warnings"] == []
    waves = [(w["name"], w["depends_on"], w["job_count"]) for w in passing["waves"]]
    assert waves == [("db", [], 1), ("app", ["db"], 1)]
    assert all(w["server_count"] > 0 for w in passing["waves"])
    assert passing["server_count"] == sum(w["server_count"] for w in passing["waves"])
    only_app = preflight(lab, plan["id"], waves=["app"])
    assert [(w["name"], w["depends_on"]) for w in only_app["waves"]] == [("app", [])]
    assert fingerprint(lab) == before and executions_of(lab, plan["id"]) == []

    started = lab.start(plan["id"])
    again = preflight(lab, plan["id"])
    assert again["ok"] is False
    assert again["reasons"][0] == {
        "reason": "plan-running",
        "execution_id": started["id"],
        "message": again["reasons"][0]["message"],
    }
    assert {r["reason"] for r in again["reasons"][1:]} == {"server-busy"}
    assert len(again["reasons"]) == 1 + passing["server_count"]
    lab.act(started["id"], "cancel")
    assert settled(lab.finish(started["id"]))


def test_bad_requests_are_refused_like_a_start(lab: Lab) -> None:
    plan = lab.plan([("db", ["storefront-us-east-1-db"])])
    missing = problem(
        lab.http.post(PREFLIGHT, json={"plan_id": "rp-000000000000", "type": "DRILL"}), 404
    )
    assert "rp-000000000000" in missing["detail"]
    bad_type = problem(lab.http.post(PREFLIGHT, json={"plan_id": plan["id"], "type": "TEST"}), 422)
    assert bad_type["errors"][0]["path"] == "type"
    extra = problem(
        lab.http.post(PREFLIGHT, json={"plan_id": plan["id"], "type": "DRILL", "force": True}), 422
    )
    assert extra["errors"][0] == {"path": "force", "message": "unknown field", "in": "body"}
    unhealthy = {"plan_id": plan["id"], "type": "DRILL", "allow_unhealthy": "maybe"}
    assert problem(lab.http.post(PREFLIGHT, json=unhealthy), 422)["errors"][0]["path"] == (
        "allow_unhealthy"
    )
    wave = problem(
        lab.http.post(PREFLIGHT, json={"plan_id": plan["id"], "type": "DRILL", "waves": ["x"]}),
        422,
    )
    assert wave["errors"][0]["path"] == "waves"
    malformed = lab.http.post(PREFLIGHT, content=b"{", headers={"content-type": "application/json"})
    problem(malformed, 400)
    assert executions_of(lab, plan["id"]) == []


def test_a_start_refused_for_throttling_says_it_was_throttled(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])])
    # One DescribeJobs per 1,000 s: its Retry-After is far past the preflight's 10-s bound.
    faults = lab.http.post(f"{ADMIN}/faults", json={"throttle": {"DescribeJobs": 0.001}})
    assert faults.status_code == 200, faults.text
    try:
        found = [preflight(lab, plan["id"]) for _ in range(2)][-1]  # the first may pass
        assert [r["reason"] for r in found["reasons"]] == ["drs-throttled"]
        assert found["reasons"][0]["scope"] == "444455556666/us-west-2"
        assert found["reasons"][0]["retry_after"] >= 900
        refused = problem(
            lab.http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL"}), 409
        )
        assert "throttled" in refused["detail"] and "ThrottlingException" in refused["detail"]
        scopes = [(c["reason"], c["scope"]) for c in refused["conflicts"]]
        assert scopes == [("drs-throttled", "444455556666/us-west-2")]
    finally:
        lab.http.delete(f"{ADMIN}/faults")
    assert preflight(lab, plan["id"])["ok"] is True
