"""Readiness over HTTP and the CLI, against the package's server and its embedded sandbox."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.domain.identity import Role
from tests.integration.conftest import problem
from tests.integration.executions.conftest import Lab
from tests.support.server import client_for, ensure_user, sign_in

PLANS = "/api/v1/recovery-plans"


def readiness_of(lab: Lab, plan_id: str) -> dict[str, Any]:
    """POST a readiness run (200 expected) and return it."""
    response = lab.http.post(f"{PLANS}/{plan_id}/readiness")
    assert response.status_code == 200, response.text
    run: dict[str, Any] = response.json()
    return run


def drorch(lab: Lab, *args: str) -> tuple[int, str]:
    """`drorch ARGS` signed in as the server's admin: (exit code, stdout)."""
    env = {"DRORCH_TOKEN": lab.server.token, "DRORCH_CONFIG_DIR": str(lab.server.data_dir)}
    ran = CliRunner().invoke(app, [*args, "--api-url", lab.url], env=env)
    return ran.exit_code, ran.stdout


def check(lab: Lab, ref: str, *extra: str) -> tuple[int, str]:
    """`drorch plans check REF`."""
    return drorch(lab, "plans", "check", ref, *extra)


def test_a_run_is_kept_as_history_shown_in_the_overview_and_audited(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])])
    first = readiness_of(lab, plan["id"])
    assert first["status"] == "READY" and first["trigger"] == "on_demand"
    assert first["error_count"] == 0 and "replication" in first["checks"]
    second = readiness_of(lab, plan["id"])
    history = lab.http.get(f"{PLANS}/{plan['id']}/readiness", params={"limit": 1}).json()
    assert history["latest"] == second and [r["id"] for r in history["items"]] == [second["id"]]
    older = lab.http.get(
        f"{PLANS}/{plan['id']}/readiness", params={"limit": 1, "cursor": history["next_cursor"]}
    ).json()
    assert [r["id"] for r in older["items"]] == [first["id"]]
    overview = lab.http.get("/api/v1/readiness").json()
    mine = [r for r in overview["items"] if r["plan_id"] == plan["id"]]
    assert [r["id"] for r in mine] == [second["id"]]
    audit = lab.http.get(
        "/api/v1/audit", params={"action": "plan.readiness", "target_id": plan["id"]}
    )
    assert [r["detail"]["status"] for r in audit.json()["items"]] == ["READY", "READY"]
    assert problem(lab.http.get(f"{PLANS}/rp-000000000000/readiness"), 404)


def test_a_not_ready_plan_names_its_failing_checks_in_the_api_and_the_cli(lab: Lab) -> None:
    plan = lab.plan([("app", ["storefront-us-west-2-app"])])
    run = readiness_of(lab, plan["id"])
    assert run["status"] == "NOT_READY"
    failing = [
        (f["check"], f["code"], f["subject"]["kind"])
        for f in run["findings"]
        if f["severity"] == "error"
    ]
    assert failing and set(failing) == {("replication", "replication-unhealthy", "server")}
    code, out = check(lab, plan["name"])
    assert code == 1 and "NOT READY" in out and "replication-unhealthy" in out
    code, listed = drorch(lab, "plans", "list", "--search", plan["name"])
    assert code == 0 and "READINESS" in listed and "NOT READY (1)" in listed
    failing_only = lab.http.get("/api/v1/readiness", params={"status": "NOT_READY"}).json()
    assert plan["id"] in {r["plan_id"] for r in failing_only["items"]}
    assert failing_only["not_ready"] >= 1
    assert all(r["status"] == "NOT_READY" for r in failing_only["items"])


def test_the_cli_exits_zero_for_a_ready_plan_and_json_carries_the_run(lab: Lab) -> None:
    plan = lab.plan([("web", ["payroll-us-west-2-web"])])
    code, out = check(lab, plan["id"])
    assert code == 0 and f"plan {plan['name']!r} is ready" in out
    code, out = check(lab, plan["id"], "--json")
    assert code == 0 and '"status": "READY"' in out


def test_a_save_answers_with_store_only_findings(lab: Lab) -> None:
    body = {
        "name": "rd-empty-tags",
        "account_id": "444455556666",
        "region": "us-west-2",
        "selection": {"tags": {"Application": "nothing-has-this"}},
    }
    made = lab.http.post("/api/v1/protection-groups", json=body)
    assert made.status_code == 201, made.text
    lab.groups["rd-empty-tags"] = made.json()["id"]
    plan = lab.plan([("db", ["payroll-us-west-2-db", "rd-empty-tags"])])
    assert plan["readiness"]["status"] == "READY"
    assert [(f["code"], f["subject"]["id"]) for f in plan["readiness"]["findings"]] == [
        ("group-empty", made.json()["id"])
    ]
    # What a save found is advice: sending it back with the plan is not a conflict.
    put = lab.http.put(f"{PLANS}/{plan['id']}", json={**plan, "description": "v2"})
    assert put.status_code == 200, put.text
    # A save runs nothing that is kept: the history is still empty.
    assert lab.http.get(f"{PLANS}/{plan['id']}/readiness").json()["latest"] is None


def test_a_viewer_reads_readiness_but_may_not_run_it(lab: Lab) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])])
    viewer = ensure_user(lab.server.data_dir, "rd-viewer", Role.VIEWER)
    with client_for(lab.url, sign_in(lab.url, viewer)) as http:
        refused = problem(http.post(f"{PLANS}/{plan['id']}/readiness"), 403)
        assert "readiness:run" in refused["detail"]
        assert http.get(f"{PLANS}/{plan['id']}/readiness").status_code == 200
