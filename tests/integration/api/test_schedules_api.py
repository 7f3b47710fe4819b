"""/api/v1/schedules over HTTP: create, read, preview, change, remove, runs, who may."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from drorch.adapters.clock import ManualClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import Role
from drorch.services.readiness import ReadinessPorts
from drorch.services.schedule_runs import RunTools, plan_readiness
from drorch.services.scheduler import Scheduler
from tests.integration.conftest import problem, unique_name
from tests.support.server import RunningServer, api_client, ensure_user, sign_in

SCHEDULES = "/api/v1/schedules"


def a_plan(make_group: Callable[..., Any], make_plan: Callable[..., Any], pool: Any) -> Any:
    db, app = make_group(ids=pool(1)), make_group(ids=pool(1))
    return make_plan([("db", [db["id"]]), ("app", [app["id"]])])


@pytest.fixture(scope="module")
def tokens(api: RunningServer) -> dict[Role, str]:
    """A signed-in viewer and operator (signing in is slow: argon2), for the whole module."""
    made = {}
    for role in (Role.VIEWER, Role.OPERATOR):
        made[role] = sign_in(api.base_url, ensure_user(api.data_dir, f"sched-{role.value}", role))
    return made


def drill_body(plan_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "name": unique_name("sc"),
        "kind": "drill",
        "plan_id": plan_id,
        "cron": "0 6 * * 6",
        "timezone": "Europe/Berlin",
    }
    return {**body, **fields}


def test_create_read_update_and_delete_a_drill_schedule(
    client: httpx.Client, make_group: Any, make_plan: Any, pool: Any
) -> None:
    plan = a_plan(make_group, make_plan, pool)
    created = client.post(SCHEDULES, json=drill_body(plan["name"], waves=["db"]))
    assert created.status_code == 201, created.text
    schedule = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{SCHEDULES}/{schedule['id']}"
    assert schedule["plan_id"] == plan["id"]  # named by name, stored by id
    assert schedule["owner"]["username"] == "admin" and schedule["owner"]["role"] == "admin"
    assert schedule["description"] == "At 06:00 on Saturday"
    assert len(schedule["next_runs"]) == 5 and schedule["next_due_at"] == schedule["next_runs"][0]
    first = datetime.fromisoformat(schedule["next_due_at"])
    assert first.astimezone(UTC).hour in (4, 5) and first.weekday() == 5
    assert client.get(f"{SCHEDULES}/{schedule['name']}").json() == schedule
    drills = client.get(SCHEDULES, params={"kind": "drill"}).json()
    assert schedule["id"] in [s["id"] for s in drills]
    assert client.get(SCHEDULES, params={"plan_id": plan["id"]}).json() == [schedule]

    changed = client.put(
        f"{SCHEDULES}/{schedule['id']}", json={**schedule, "enabled": False, "waves": None}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["next_due_at"] is None and changed.json()["next_runs"] == []
    assert changed.json()["version"] == 2 and changed.headers["ETag"] == '"2"'
    assert problem(client.put(f"{SCHEDULES}/{schedule['id']}", json=schedule), 412)

    path = f"{SCHEDULES}/{schedule['id']}"
    assert problem(client.delete(path), 428)
    assert client.delete(path, headers={"If-Match": '"2"'}).status_code == 204
    assert problem(client.get(path), 404)


def test_bad_schedules_name_the_field(
    client: httpx.Client, make_group: Any, make_plan: Any, pool: Any
) -> None:
    plan = a_plan(make_group, make_plan, pool)
    bad_cron = problem(client.post(SCHEDULES, json=drill_body(plan["id"], cron="0 25 * * *")), 422)
    assert "cron" in str(bad_cron["errors"]) and "hour" in str(bad_cron["errors"])
    zone = drill_body(plan["id"], timezone="Mars/Base")
    bad_zone = problem(client.post(SCHEDULES, json=zone), 422)
    assert "Mars/Base" in str(bad_zone["errors"])
    wave = problem(client.post(SCHEDULES, json=drill_body(plan["id"], waves=["nope"])), 422)
    assert "nope" in str(wave)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    body = drill_body(plan["id"], cron=None, at=past)
    assert problem(client.post(SCHEDULES, json=body), 422)["errors"][0]["path"] == "at"
    both = problem(client.post(SCHEDULES, json=drill_body(plan["id"], at=past)), 422)
    assert "either cron" in str(both["errors"])
    missing = problem(client.post(SCHEDULES, json=drill_body("no-such-plan")), 422)
    assert missing["errors"][0]["path"] == "plan_id"
    name = unique_name("dup")
    assert client.post(SCHEDULES, json=drill_body(plan["id"], name=name)).status_code == 201
    assert problem(client.post(SCHEDULES, json=drill_body(plan["id"], name=name)), 409)


def test_preview_shows_the_next_times_in_utc(client: httpx.Client) -> None:
    params = {"cron": "30 2 * * *", "tz": "Europe/Berlin", "count": 3}
    found = client.get(f"{SCHEDULES}/preview", params=params)
    assert found.status_code == 200, found.text
    body = found.json()
    assert len(body["times"]) == 3 and body["description"] == "At 02:30 every day"
    assert body["timezone"] == "Europe/Berlin"
    bad = problem(client.get(f"{SCHEDULES}/preview", params={"cron": "x", "tz": "UTC"}), 422)
    assert bad["errors"][0]["path"] == "cron"


def test_who_may_schedule_what(
    api: RunningServer, tokens: dict[Role, str], make_group: Any, make_plan: Any, pool: Any
) -> None:
    plan = a_plan(make_group, make_plan, pool)
    backup = {"name": unique_name("bk"), "kind": "backup", "cron": "0 3 * * *", "retention": 3}
    with api_client(api, token=tokens[Role.VIEWER]) as viewer:
        assert viewer.get(SCHEDULES).status_code == 200
        refused = problem(viewer.post(SCHEDULES, json=drill_body(plan["id"])), 403)
        assert refused["permission"] == "schedules:write"
    with api_client(api, token=tokens[Role.OPERATOR]) as operator:
        made = operator.post(SCHEDULES, json=drill_body(plan["id"]))
        assert made.status_code == 201 and made.json()["owner"]["role"] == "operator"
        assert problem(operator.post(SCHEDULES, json=backup), 403)["permission"] == "backups:write"
    with api_client(api) as admin:
        kept = admin.post(SCHEDULES, json=backup)
        assert kept.status_code == 201 and kept.json()["retention"] == 3
        # An operator may not take over (and so run as themselves) an admin's backup.
        with api_client(api, token=tokens[Role.OPERATOR]) as operator:
            path = f"{SCHEDULES}/{kept.json()['id']}"
            assert problem(operator.put(path, json=kept.json()), 403)["permission"] == (
                "backups:write"
            )


def test_runs_are_listed_newest_first_with_skip_reasons(
    api: RunningServer, client: httpx.Client, make_group: Any, make_plan: Any, pool: Any
) -> None:
    plan = a_plan(make_group, make_plan, pool)
    schedule = client.post(SCHEDULES, json=drill_body(plan["id"], cron="*/30 * * * *")).json()
    assert client.get(f"{SCHEDULES}/{schedule['id']}/runs").json() == {
        "items": [],
        "next_cursor": None,
    }
    # A worker of its own on the server's database, an hour ahead: the run is due there.
    store = SqliteStore(api.data_dir / "drorch.db")
    try:
        clock = ManualClock(datetime.now(UTC) + timedelta(hours=1))
        tools = RunTools(
            store,
            clock,
            None,
            None,
            plan_readiness(ReadinessPorts(store=store, drs=None, clock=clock)),
            None,
        )
        ran = Scheduler(tools, owner="test-worker").tick()
    finally:
        store.close()
    mine = [r for r in ran if r.schedule_id == schedule["id"]]
    assert len(mine) == 1
    page = client.get(f"{SCHEDULES}/{schedule['id']}/runs", params={"limit": 1}).json()
    [run] = page["items"]
    assert run["id"] == mine[0].id and run["status"] == "SKIPPED" and run["late"] is True
    reasons = [r["reason"] for r in run["reasons"]]
    assert "drs-not-configured" in reasons, reasons  # this server has no DRS
    listed = client.get(f"{SCHEDULES}/{schedule['id']}").json()
    assert listed["last_run"]["id"] == run["id"]
    audit = client.get("/api/v1/audit", params={"action": "schedule.run"}).json()["items"]
    assert any(a["detail"]["run_id"] == run["id"] and a["outcome"] == "refused" for a in audit)


def test_the_server_runs_a_one_off_at_its_time(
    client: httpx.Client, make_group: Any, make_plan: Any, pool: Any
) -> None:
    """The scheduler inside `drorch serve`: a save wakes it, it sleeps until the due time."""
    plan = a_plan(make_group, make_plan, pool)
    at = datetime.now(UTC) + timedelta(seconds=1.5)
    body = drill_body(plan["id"], cron=None, at=at.isoformat())
    schedule = client.post(SCHEDULES, json=body).json()
    deadline = time.monotonic() + 15
    runs: list[Any] = []
    while not runs and time.monotonic() < deadline:
        time.sleep(0.2)
        runs = client.get(f"{SCHEDULES}/{schedule['id']}/runs").json()["items"]
    [run] = runs
    assert run["status"] == "SKIPPED" and run["late"] is False
    assert run["claimed_by"] != "test-worker"  # the server's own scheduler took it
    assert client.get(f"{SCHEDULES}/{schedule['id']}").json()["next_due_at"] is None
