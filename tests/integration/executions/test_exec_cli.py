"""`drorch exec` in-process (Typer's CliRunner) against the package's real server."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from tests.integration.executions.conftest import EXECUTIONS, Lab


@dataclass(frozen=True)
class Ran:
    """Exit code and output of one command."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout as one JSON document."""
        return json.loads(self.out)


@pytest.fixture
def drorch(lab: Lab) -> Any:
    """Run `drorch <args> --api-url <lab>` and return what it did."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Ran:
        env = {"DRORCH_TOKEN": lab.server.token}  # signed in as the server's admin
        result = runner.invoke(app, [*args, "--api-url", lab.url], input=input, env=env)
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run


def test_start_follow_exits_zero_when_completed(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("web", ["storefront-us-east-1-web"])])
    with lab.pump():
        ran = drorch("exec", "start", plan["name"], "--follow")
    assert ran.code == 0, ran.err
    assert "execution.created" in ran.out and "COMPLETED" in ran.out
    assert "started DRILL" in ran.err
    execution = lab.http.get(EXECUTIONS, params={"plan_id": plan["id"]}).json()["items"][0]
    assert execution["status"] == "COMPLETED"
    with lab.pump():
        cleaned = drorch("exec", "terminate", execution["id"], "-F", "--json")
    assert cleaned.code == 0, cleaned.err
    assert cleaned.json()["cleanup_status"] == "COMPLETED"
    # Following the cleanup shows only what it added, not the drill's timeline again.
    assert "execution.created" not in cleaned.err and "cleanup.cleanup_start" in cleaned.err
    shown = drorch("exec", "get", execution["id"])
    assert re.search(r"^ *duration +(\d+m )?\d+s *$", shown.out, re.M), shown.out
    assert re.search(r"^ *RTO achieved +(\d+m )?\d+s *$", shown.out, re.M), shown.out
    count = lab.get(execution["id"])["server_count"]
    assert re.search(rf"^ *servers +{count}: {count} TERMINATED *$", shown.out, re.M), shown.out
    assert "drorch exec servers" in shown.out and "HOSTNAME" not in shown.out


def test_servers_and_jobs_page_with_filters(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"]), ("app", ["payroll-us-west-2-app"])])
    execution_id = lab.start(plan["id"])["id"]
    lab.act(execution_id, "cancel")
    lab.finish(execution_id)
    every = lab.servers(execution_id)
    listed = drorch("exec", "servers", execution_id, "--all", "--json")
    assert listed.code == 0, listed.err
    assert listed.json() == {"items": every, "next_cursor": None}
    app_only = drorch("exec", "servers", execution_id, "--wave", "app", "--json").json()
    assert app_only["items"] == [s for s in every if s["wave"] == "app"]
    one = drorch("exec", "servers", execution_id, "--limit", "1")
    assert one.code == 0 and every[0]["source_server_id"] in one.out
    assert "more results: pass --all" in one.err
    none = drorch("exec", "servers", execution_id, "--status", "SKIPPED", "--status", "FAILED")
    assert none.code == 0 and "no servers match" in none.out
    assert drorch("exec", "servers", execution_id, "--status", "DONE").code == 2
    jobs = drorch("exec", "jobs", execution_id, "--kind", "TERMINATE", "--json")
    assert jobs.code == 0 and jobs.json()["items"] == lab.jobs(execution_id, kind="TERMINATE")


def test_follow_exits_non_zero_unless_completed(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("db", ["storefront-us-west-2-db"])])
    started = drorch("exec", "start", plan["id"], "--recovery", "--yes", "--json")
    assert started.code == 0, started.err
    execution_id = started.json()["id"]
    assert started.json()["type"] == "RECOVERY"
    assert drorch("exec", "pause", execution_id, "--json").json()["status"] == "PAUSED"
    assert drorch("exec", "resume", execution_id, "--json").json()["status"] == "RUNNING"
    assert drorch("exec", "cancel", execution_id).code == 0
    with lab.pump():
        followed = drorch("exec", "follow", execution_id, "--json")
    assert followed.code == 1 and followed.json()["status"] == "CANCELLED"
    listed = drorch("exec", "list", "--plan", plan["name"], "--type", "RECOVERY", "--json")
    assert [e["id"] for e in listed.json()["items"]] == [execution_id]
    shown = drorch("exec", "get", execution_id)
    assert shown.code == 0 and execution_id in shown.out and "CANCELLED" in shown.out
    refused = drorch("exec", "terminate", execution_id)
    assert refused.code == 1 and refused.err.startswith("error: ")


def test_recovery_needs_yes_without_a_terminal(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("db", ["storefront-us-west-2-db"])])
    ran = drorch("exec", "start", plan["id"], "--recovery")
    assert ran.code == 2 and "--yes" in ran.err and ran.out == ""
    assert lab.http.get(EXECUTIONS, params={"plan_id": plan["id"]}).json()["items"] == []


def test_refused_start_lists_every_reason(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("app", ["storefront-us-west-2-app"])])
    ran = drorch("exec", "start", plan["id"], "--waves", "app")
    assert ran.code == 1
    # One line, every reason, and the CLI's flag rather than the API's field.
    assert ran.err == (
        f"error: cannot start plan {plan['id']!r}: s-62a599c33065504ce replication is STALLED "
        "(pass --allow-unhealthy to start despite unhealthy replication)\n"
    )
    unknown = drorch("exec", "start", "no-such-plan")
    assert unknown.code == 1 and "no-such-plan" in unknown.err
    missing = drorch("exec", "follow", "ex-000000000000")
    assert missing.code == 1 and "does not exist" in missing.err
    assert drorch("exec", "start", plan["id"], "--waves", " , ").code == 2


def test_follow_by_polling(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("db", ["payroll-us-west-2-db"])])
    execution_id = lab.start(plan["id"])["id"]
    with lab.pump():
        ran = drorch("exec", "follow", execution_id, "--poll")
    assert ran.code == 0, ran.err
    assert ran.out.count("execution.created") == 1 and "COMPLETED" in ran.out


def test_dry_run_shows_the_preflight_and_starts_nothing(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("db", ["storefront-us-east-1-db"]), ("web", ["storefront-us-east-1-web"])])
    shown = drorch("exec", "start", plan["name"], "--dry-run")
    assert shown.code == 0, shown.err
    assert "ok: a start would be accepted" in shown.out
    assert "db" in shown.out and "web" in shown.out and "DRS JOBS" in shown.out
    # A recovery dry run asks no confirmation (stdin is no terminal here: a start would exit 2).
    report = drorch("exec", "start", plan["id"], "--recovery", "--dry-run", "--json")
    assert report.code == 0, report.err
    assert report.json()["ok"] is True and report.json()["type"] == "RECOVERY"
    assert [w["name"] for w in report.json()["waves"]] == ["db", "web"]
    assert drorch("exec", "start", plan["id"], "--dry-run", "--follow").code == 2
    assert lab.http.get(EXECUTIONS, params={"plan_id": plan["id"]}).json()["items"] == []


def test_dry_run_exits_one_when_a_start_would_be_refused(lab: Lab, drorch: Any) -> None:
    plan = lab.plan([("app", ["storefront-us-west-2-app"])])
    blocked = drorch("exec", "start", plan["id"], "--dry-run")
    assert blocked.code == 1 and blocked.err == ""
    assert "blocked" in blocked.out and "blocker" in blocked.out
    assert "replication-unhealthy" in blocked.out
    as_json = drorch("exec", "start", plan["id"], "--dry-run", "--json")
    assert as_json.code == 1 and as_json.json()["ok"] is False
    assert {r["reason"] for r in as_json.json()["reasons"]} == {"replication-unhealthy"}
    accepted = drorch("exec", "start", plan["id"], "--dry-run", "--allow-unhealthy")
    assert accepted.code == 0, accepted.err
    assert "warning" in accepted.out and "accepted by --allow-unhealthy" in accepted.out
    assert "allow_unhealthy" not in blocked.out and "pass --allow-unhealthy" in blocked.out
    unknown = drorch("exec", "start", plan["id"], "--dry-run", "--waves", "nope")
    assert unknown.code == 1 and "nope" in unknown.err
    assert lab.http.get(EXECUTIONS, params={"plan_id": plan["id"]}).json()["items"] == []
