"""The demo's two example runbook plans, end to end in `serve --sandbox`, drill and recovery.

One server for the module, built as `drorch serve --sandbox` builds it (embedded moto seeded
with the demo's resources, the runner on), served on 127.0.0.1. The sandbox clock is virtual
and a pump moves it while DRS jobs and the SSM Automation run, so a run takes seconds. Users
sign in over HTTP; what the plans changed is read back from moto with boto3.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from drorch.api.app import SANDBOX_MOUNT, create_app
from drorch.bootstrap import Container, bootstrap
from drorch.cli.demo import example_runbooks
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.sandbox import aws_seed, standby_api
from drorch.services import inventory, samples
from drorch.services.demo_runbooks import BOOKINGS_PLAN, GIFTS_PLAN, Runbooks, ensure_runbooks
from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, TERMINAL, settled
from tests.support.sandbox import serve_app
from tests.support.server import client_for, ensure_user, free_port, sign_in
from tests.support.waiting import pumping, wait_until

ADMIN_API = f"{SANDBOX_MOUNT}/_sandbox"
# A safety net for a broken engine, not a performance expectation.
WAIT_LIMIT = 60.0
# Sandbox seconds per pump beat (20 a second): a Linux launch job ends within a second.
PUMP_SECONDS = 600
ROLES = {
    "admin": Role.ADMIN,
    "viewer": Role.VIEWER,
    "operator": Role.OPERATOR,
    "manager": Role.RECOVERY_MANAGER,
}


@dataclass
class World:
    """The served container, a signed-in client per role, the seeded ids, the plans."""

    url: str
    container: Container
    seeded: aws_seed.Seeded
    http: dict[str, httpx.Client]
    plans: dict[str, str]
    made: dict[tuple[str, str], Any] = field(default_factory=dict)

    def aws(self, service: str, region: str | None = None) -> Any:
        """A boto3 client of the embedded moto, as the seeded account (made once)."""
        key = (service, region or self.seeded.primary_region)
        if key not in self.made:
            clients = aws_seed.clients(self.seeded.url, self.seeded.account_id)
            self.made[key] = clients.client(*key)
        return self.made[key]

    def start(self, plan: str, type: str = "DRILL", **fields: Any) -> dict[str, Any]:
        """Start one of the example plans as the admin (201 expected)."""
        body = {"plan_id": self.plans[plan], "type": type, **fields}
        response = self.http["admin"].post(EXECUTIONS, json=body)
        assert response.status_code == 201, response.text
        started: dict[str, Any] = response.json()
        return started

    def get(self, execution_id: str) -> dict[str, Any]:
        """The execution as the API shows it."""
        response = self.http["admin"].get(f"{EXECUTIONS}/{execution_id}")
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def wait(self, execution_id: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll the execution until `check` holds, moving the sandbox clock meanwhile."""
        # The sandbox's clock moves in the background: DRS jobs and automations end soon.
        sandbox = self.container.sandbox_app.state.sandbox
        with pumping(lambda: sandbox.advance(PUMP_SECONDS), every=0.05):
            return wait_until(
                lambda: self.get(execution_id),
                check,
                limit=WAIT_LIMIT,
                failure=lambda last: f"execution never got there:\n{last}",
            )

    def api_record(self) -> str:
        """Where `api.` points now."""
        found = self.aws("route53").list_resource_record_sets(
            HostedZoneId=self.seeded.zone_id,
            StartRecordName=self.seeded.api_record,
            StartRecordType="CNAME",
            MaxItems="1",
        )["ResourceRecordSets"][0]
        assert found["Name"].rstrip(".") == self.seeded.api_record
        return str(found["ResourceRecords"][0]["Value"])

    def table(self, name: str, region: str) -> dict[str, Any] | None:
        """A table as moto describes it, None when it does not exist."""
        db = self.aws("dynamodb", region)
        if name not in db.list_tables()["TableNames"]:
            return None
        return dict(db.describe_table(TableName=name)["Table"])

    def invalidations(self) -> int:
        """How many invalidations the seeded distribution has had."""
        listed = self.aws("cloudfront").get_paginator("list_invalidations")
        pages = listed.paginate(DistributionId=self.seeded.distribution_id)
        return sum(len(page["InvalidationList"].get("Items", [])) for page in pages)

    def stage(self) -> dict[str, Any]:
        """The gift tracker's stage: its all-methods throttling and its tags."""
        found = self.aws("apigateway").get_stage(
            restApiId=self.seeded.rest_api_id, stageName=self.seeded.stage
        )
        limits = found.get("methodSettings", {}).get("*/*", {})
        return {
            "rate": limits.get("throttlingRateLimit"),
            "burst": limits.get("throttlingBurstLimit"),
            "tags": sorted(found.get("tags") or {}),
        }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """`serve --sandbox` in this process, with the demo's samples and example plans."""
    data_dir: Path = tmp_path_factory.mktemp("runbooks")
    port = free_port()
    settings = Settings(
        data_dir=data_dir,
        port=port,
        sandbox=True,
        sandbox_fleet=None,
        sandbox_clock="virtual",
        sandbox_aws=True,
        runner_enabled=True,
        # Steps poll on the engine's (wall) clock: a restore or a DNS change ends at once in moto.
        engine_step_poll_seconds=0.1,
    )
    users = {key: ensure_user(data_dir, f"rb-{key}", role) for key, role in ROLES.items()}
    built = bootstrap(settings)
    with serve_app(create_app(built), port=port) as url:
        assert built.aws_endpoint.seeded.wait(60) and built.aws_endpoint.seed_error is None
        seeded = built.sandbox_app.state.sandbox.aws_seeded
        inventory.sync_inventory(store=built.store, drs=built.drs)
        samples.ensure_samples(store=built.store, hub_accounts=built.hub_accounts())
        made = example_runbooks(built, url)  # as `drorch demo` makes them
        assert made is not None, "the embedded AWS was not seeded"
        assert made.created == [BOOKINGS_PLAN, GIFTS_PLAN] and not made.skipped
        http = {key: client_for(url, sign_in(url, creds)) for key, creds in users.items()}
        try:
            yield World(url, built, seeded, http, {p.name: p.id for p in made.plans})
        finally:
            for client in http.values():
                client.close()


def _steps(execution: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for w in execution["waves"] for s in w["steps"]}


def _ended(execution: dict[str, Any]) -> bool:
    return execution["status"] in TERMINAL and not execution["jobs"]["open"]


def _cleaned(execution: dict[str, Any]) -> bool:
    return execution["cleanup_status"] in ("COMPLETED", "INCOMPLETE") and settled(execution)


def _servers(world: World, execution_id: str) -> list[dict[str, Any]]:
    answer = world.http["admin"].get(f"{EXECUTIONS}/{execution_id}/servers")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_the_example_plans_validate_with_the_drill_warnings_only(world: World) -> None:
    for name in (BOOKINGS_PLAN, GIFTS_PLAN):
        answer = world.http["admin"].post(f"/api/v1/recovery-plans/{world.plans[name]}/validate")
        assert answer.status_code == 200, answer.text
        found = answer.json()
        assert found["errors"] == []
        assert found["warnings"], name  # the DNS switch / the API stop say `run` in a drill
    # A restarted moto picks new ids: only those move, an operator's edit stays.
    path = f"/api/v1/recovery-plans/{world.plans[GIFTS_PLAN]}"
    plan = world.http["admin"].get(path).json()
    plan["waves"][0]["actions"][3]["params"]["prompt"] = "Counted the gifts? Approve."
    assert world.http["admin"].put(path, json=plan).status_code == 200
    moved = replace(world.seeded, zone_id="ZOTHERZONE", rest_api_id="0ther4pi00")
    assert _ensure(world, moved).updated == [BOOKINGS_PLAN, GIFTS_PLAN]
    actions = world.http["admin"].get(path).json()["waves"][0]["actions"]
    assert [a["params"].get("rest_api_id") for a in actions] == [
        "0ther4pi00",
        None,
        None,
        None,
        "0ther4pi00",
    ]
    assert actions[3]["params"]["prompt"] == "Counted the gifts? Approve."
    assert _ensure(world, world.seeded).updated == [BOOKINGS_PLAN, GIFTS_PLAN]
    again = _ensure(world, world.seeded)
    assert again.created == again.updated == again.skipped == []
    # An existing plan is re-pointed even where it could not be made now (no such group).
    elsewhere = _ensure(world, replace(world.seeded, standby_region="eu-west-1", zone_id="ZELSE"))
    assert (elsewhere.updated, elsewhere.skipped) == ([BOOKINGS_PLAN], [])
    assert _ensure(world, world.seeded).updated == [BOOKINGS_PLAN]


def _ensure(world: World, seeded: aws_seed.Seeded) -> Runbooks:
    return ensure_runbooks(
        store=world.container.store,
        seeded=seeded,
        standby_check_url=f"{world.url}{SANDBOX_MOUNT}{standby_api.PATH}",
    )


def test_the_standby_api_answers_only_once_its_table_is_restored(world: World) -> None:
    url = f"{world.url}{SANDBOX_MOUNT}{standby_api.PATH}"
    missing = httpx.get(url, params={"table": "no-such-table"}, timeout=10)
    present = httpx.get(url, params={"table": world.seeded.bookings_table}, timeout=10)

    assert missing.status_code == 503 and missing.json()["status"] == "unavailable"
    assert present.status_code == 200
    assert present.json() == {
        "status": "ok",
        "region": world.seeded.standby_region,
        "table": world.seeded.bookings_table,
        "items": 5,
    }


def test_the_bookings_failover_drill_fails_over_and_its_cleanup_puts_everything_back(
    world: World,
) -> None:
    seeded = world.seeded
    before = world.invalidations()
    started = world.start(BOOKINGS_PLAN, cleanup_after_minutes="keep")

    done = world.wait(started["id"], _ended)

    assert done["status"] == "COMPLETED", done
    steps = _steps(done)
    assert {s["status"] for s in steps.values()} == {"SUCCEEDED"}
    assert {s["status"] for s in _servers(world, done["id"])} == {"LAUNCHED"}
    restored = world.table(seeded.bookings_restored, seeded.standby_region)
    assert restored is not None and restored["TableStatus"] == "ACTIVE"
    assert restored["ItemCount"] == 5
    assert world.api_record() == seeded.standby_endpoint
    assert world.invalidations() == before + 1
    assert steps["check-standby-api"]["output"]["status"] == 200

    assert world.http["admin"].post(f"{EXECUTIONS}/{done['id']}/terminate-instances").is_success
    cleaned = world.wait(done["id"], _cleaned)

    assert cleaned["cleanup_status"] == "COMPLETED" and cleaned["leftovers"] == []
    assert {s["status"] for s in _servers(world, done["id"])} == {"TERMINATED"}
    undone = {n: (s["undo"] or {}).get("status") for n, s in _steps(cleaned).items()}
    assert undone == {
        "restore-bookings-table": "SUCCEEDED",
        "point-api-at-standby": "SUCCEEDED",
        "invalidate-cdn": None,  # nothing to undo
        "check-standby-api": None,
    }
    assert world.api_record() == seeded.primary_endpoint
    assert world.table(seeded.bookings_restored, seeded.standby_region) is None


def test_a_drill_whose_terminate_and_undo_fail_ends_cleanup_incomplete_by_resource(
    world: World,
) -> None:
    seeded = world.seeded
    admin = world.http["admin"]
    started = world.start(BOOKINGS_PLAN, cleanup_after_minutes="keep")
    done = world.wait(started["id"], _ended)
    assert done["status"] == "COMPLETED", done
    failing = _servers(world, done["id"])[0]
    # Someone protects the restored table, and one recovery instance refuses to terminate.
    world.aws("dynamodb", seeded.standby_region).update_table(
        TableName=seeded.bookings_restored, DeletionProtectionEnabled=True
    )
    fault = {"fail_terminations": [failing["source_server_id"]]}
    assert admin.post(f"{ADMIN_API}/faults", json=fault).status_code == 200
    try:
        assert admin.post(f"{EXECUTIONS}/{done['id']}/terminate-instances").is_success
        left = world.wait(done["id"], _cleaned)
    finally:
        assert admin.delete(f"{ADMIN_API}/faults").status_code == 200

    assert left["cleanup_status"] == "INCOMPLETE"
    table = f"DynamoDB table {seeded.bookings_restored} ({seeded.account_id}/us-west-2)"
    step = f"step restore-bookings-table (dynamodb_restore): {table}"
    assert sorted(left["leftovers"]) == sorted([failing["recovery_instance_id"], step])
    undo = _steps(left)["restore-bookings-table"]["undo"]
    assert undo["status"] == "FAILED" and undo["error_code"] == "ValidationException"
    assert "DeletionProtectionEnabled" in undo["error"], undo
    # The DNS switch was undone all the same; the table is still there.
    assert world.api_record() == seeded.primary_endpoint
    assert world.table(seeded.bookings_restored, seeded.standby_region) is not None

    # Once the protection is off, a new round removes only what was left.
    world.aws("dynamodb", seeded.standby_region).update_table(
        TableName=seeded.bookings_restored, DeletionProtectionEnabled=False
    )
    assert admin.post(f"{EXECUTIONS}/{done['id']}/terminate-instances").is_success
    again = world.wait(done["id"], lambda e: e["cleanup_status"] == "COMPLETED" and settled(e))
    assert again["leftovers"] == []
    assert world.table(seeded.bookings_restored, seeded.standby_region) is None


def test_the_bookings_failover_recovery_keeps_the_standby_serving(world: World) -> None:
    seeded = world.seeded
    before = world.invalidations()
    started = world.start(BOOKINGS_PLAN, "RECOVERY")

    done = world.wait(started["id"], _ended)

    assert done["status"] == "COMPLETED", done
    assert {s["status"] for s in _steps(done).values()} == {"SUCCEEDED"}
    assert done["cleanup_status"] == "NOT_APPLICABLE"  # a recovery keeps what it made
    assert world.api_record() == seeded.standby_endpoint
    assert world.table(seeded.bookings_restored, seeded.standby_region) is not None
    assert world.invalidations() == before + 1


def _awaiting(world: World, execution_id: str) -> dict[str, Any]:
    def asked(execution: dict[str, Any]) -> bool:
        step = _steps(execution)["recovery-manager-approval"]
        assert step["status"] in ("PENDING", "RUNNING"), execution
        return bool(step["awaiting_approval"])

    return world.wait(execution_id, asked)


def _decide(world: World, who: str, execution_id: str) -> httpx.Response:
    path = f"{EXECUTIONS}/{execution_id}/steps/recovery-manager-approval/approve"
    return world.http[who].post(path, json={"comment": f"checked by {who}"})


def test_the_gift_tracker_drill_repairs_then_undoes_the_stop_and_the_restore(
    world: World,
) -> None:
    seeded = world.seeded
    started = world.start(GIFTS_PLAN)  # the plan's default: clean up at once when it ends

    waiting = _awaiting(world, started["id"])

    steps = _steps(waiting)
    assert [steps[n]["status"] for n in steps] == [
        "SUCCEEDED",
        "SUCCEEDED",
        "SUCCEEDED",
        "RUNNING",
        "PENDING",
    ]
    assert world.stage() == {"rate": 0.0, "burst": 0, "tags": ["drorch:stopped"]}
    assert world.table(seeded.gifts_restored, seeded.primary_region) is not None
    assert steps["verify-restored-data"]["output"]["status"] == "Success"
    assert problem(_decide(world, "viewer", started["id"]), 403)["permission"] == "drills:approve"
    assert _decide(world, "manager", started["id"]).status_code == 200

    done = world.wait(started["id"], _cleaned)

    assert done["status"] == "COMPLETED" and done["cleanup_status"] == "COMPLETED", done
    approval = _steps(done)["recovery-manager-approval"]
    assert approval["status"] == "SUCCEEDED" and approval["decided_by"] == "rb-manager"
    undone = {n: (s["undo"] or {}).get("status") for n, s in _steps(done).items()}
    assert undone["restore-gifts-table"] == undone["stop-api-access"] == "SUCCEEDED"
    assert world.stage() == {"rate": 100.0, "burst": 50, "tags": []}
    assert world.table(seeded.gifts_restored, seeded.primary_region) is None


def test_the_gift_tracker_recovery_needs_a_recovery_manager_and_resumes_the_api(
    world: World,
) -> None:
    seeded = world.seeded
    started = world.start(GIFTS_PLAN, "RECOVERY")
    _awaiting(world, started["id"])
    assert world.stage()["rate"] == 0.0

    refused = problem(_decide(world, "operator", started["id"]), 403)
    assert refused["permission"] == "recoveries:approve"
    assert _decide(world, "manager", started["id"]).status_code == 200
    done = world.wait(started["id"], _ended)

    assert done["status"] == "COMPLETED", done
    assert {s["status"] for s in _steps(done).values()} == {"SUCCEEDED"}
    assert world.stage() == {"rate": 100.0, "burst": 50, "tags": []}
    restored = world.table(seeded.gifts_restored, seeded.primary_region)
    assert restored is not None and restored["ItemCount"] == 5
