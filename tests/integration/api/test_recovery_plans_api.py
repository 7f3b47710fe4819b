"""Recovery plans through a real server: CRUD, ETags, wave rules and validation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from drorch.adapters.storage.sqlite import SqliteStore
from tests.integration.conftest import PLANS, plan_body, problem, unique_name

MakeGroup = Callable[..., dict[str, Any]]
MakePlan = Callable[..., dict[str, Any]]
Pool = Callable[[int], list[str]]


def test_create_get_update_delete(client: httpx.Client, make_group: MakeGroup) -> None:
    a, b = make_group(), make_group()
    body = plan_body(None, [("db", [a["id"]]), ("app", [b["id"]])], rto_minutes=60)
    created = client.post(PLANS, json=body)
    assert created.status_code == 201, created.text
    plan = created.json()
    url = f"{PLANS}/{plan['id']}"
    assert created.headers["ETag"] == '"1"' and created.headers["Location"] == url
    assert [w["depends_on"] for w in plan["waves"]] == [None, None]
    # A save answers with the store-only readiness findings; GET shows the plan alone.
    saved_readiness = plan.pop("readiness")
    assert saved_readiness["status"] == "READY"
    assert {f["code"] for f in saved_readiness["findings"]} <= {"wave-empty", "group-empty"}
    assert client.get(url).json() == plan
    body["waves"][1]["pause_before"] = True
    body["waves"][1]["depends_on"] = []
    updated = client.put(url, json=body, headers={"If-Match": created.headers["ETag"]})
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2 and updated.json()["waves"][1]["pause_before"] is True
    assert client.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert problem(client.get(url), 404)


def test_stale_if_match_is_412_and_writes_nothing(
    client: httpx.Client, make_group: MakeGroup, make_plan: MakePlan, store: SqliteStore
) -> None:
    group = make_group()
    plan = make_plan([("w", [group["id"]])])
    url = f"{PLANS}/{plan['id']}"
    body = plan_body(plan["name"], [("w", [group["id"]])], description="v2")
    assert client.put(url, json=body, headers={"If-Match": '"1"'}).is_success
    stale = client.put(url, json={**body, "description": "lost"}, headers={"If-Match": '"1"'})
    problem(stale, 412)
    problem(client.delete(url, headers={"If-Match": '"1"'}), 412)
    with store.read() as uow:
        saved = uow.plans.get(plan["id"])
    assert saved is not None and saved.description == "v2" and saved.version == 2


def test_names_are_unique_ignoring_case(
    client: httpx.Client, make_group: MakeGroup, make_plan: MakePlan
) -> None:
    group = make_group()
    plan = make_plan([("w", [group["id"]])])
    clash = client.post(PLANS, json=plan_body(plan["name"].title(), [("w", [group["id"]])]))
    assert plan["name"] in problem(clash, 409)["detail"]


def test_wave_rules_name_the_wave(
    client: httpx.Client, make_group: MakeGroup, store: SqliteStore
) -> None:
    g1, g2 = make_group(), make_group()
    name = unique_name("rp")
    body = plan_body(
        name,
        [("a", [g1["id"]]), ("a", [g2["id"]]), ("c", ["pg-000000000000"]), ("d", [g1["id"]])],
    )
    body["waves"].append({"name": "e", "protection_group_ids": []})
    errors = problem(client.post(PLANS, json=body), 422)["errors"]
    by_path = {e["path"]: e["message"] for e in errors}
    assert "'a'" in by_path["waves[1].name"]
    assert "'c'" in by_path["waves[2].protection_group_ids[0]"]
    assert "'d'" in by_path["waves[3].protection_group_ids[0]"]
    assert "'e'" in by_path["waves[4].protection_group_ids"]
    with store.read() as uow:
        assert uow.plans.find_by_name(name) is None


def test_cycles_and_unknown_dependencies_are_refused(
    client: httpx.Client, make_group: MakeGroup
) -> None:
    g1, g2 = make_group(), make_group()
    body = plan_body(None, [("a", [g1["id"]]), ("b", [g2["id"]])])
    body["waves"][0]["depends_on"] = ["b"]
    cycle = problem(client.post(PLANS, json=body), 422)
    assert "cycle" in cycle["errors"][0]["message"]
    body["waves"][0]["depends_on"] = ["nowhere"]
    unknown = problem(client.post(PLANS, json=body), 422)
    assert unknown["errors"][0]["path"] == "waves[0].depends_on[0]"


def test_validate_warns_about_replication_and_big_waves(
    client: httpx.Client, make_group: MakeGroup, make_plan: MakePlan, pool: Pool
) -> None:
    big = make_group(ids=pool(120))
    small = make_group(ids=pool(3))
    plan = make_plan([("big", [big["id"]]), ("small", [small["id"]])])
    result = client.post(f"{PLANS}/{plan['id']}/validate")
    assert result.status_code == 200, result.text
    report = result.json()
    assert report["valid"] is True and report["errors"] == []
    messages = [w["message"] for w in report["warnings"]]
    assert any("120 servers" in m and "2 jobs" in m for m in messages)
    unhealthy = [w for w in report["warnings"] if w["path"].startswith("waves[0].servers.")]
    assert unhealthy and all("BACKLOG" in w["message"] for w in unhealthy)


def test_validate_reports_errors_of_a_saved_plan(
    client: httpx.Client, make_group: MakeGroup, make_plan: MakePlan
) -> None:
    group = make_group()
    plan = make_plan([("only", [group["id"]])])
    # A plan keeps its group; validation of a draft reports an unknown one.
    draft = plan_body(None, [("x", ["pg-ffffffffffff"])])
    report = client.post(f"{PLANS}/validate", json=draft).json()
    assert report["valid"] is False
    assert report["errors"][0]["path"] == "waves[0].protection_group_ids[0]"
    assert client.post(f"{PLANS}/{plan['id']}/validate").json()["valid"] is True
    problem(client.post(f"{PLANS}/rp-000000000000/validate"), 404)


def test_list_sorts_and_pages(
    client: httpx.Client, make_group: MakeGroup, make_plan: MakePlan
) -> None:
    group = make_group()
    prefix = unique_name("plist")
    made = [make_plan([("w", [group["id"]])], name=f"{prefix}-{i}") for i in range(4)]
    seen: list[str] = []
    params: dict[str, Any] = {"search": prefix, "sort": "-created_at", "limit": 3}
    while True:
        page = client.get(PLANS, params=params).json()
        seen += [p["id"] for p in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert sorted(seen) == sorted(p["id"] for p in made)
    by_name = client.get(PLANS, params={"search": prefix, "sort": "name"}).json()["items"]
    assert [p["name"] for p in by_name] == [f"{prefix}-{i}" for i in range(4)]


def test_put_takes_back_the_plan_get_returned_and_refuses_it_stale(
    client: httpx.Client, make_group: MakeGroup, make_plan: Callable[..., Any]
) -> None:
    plan = make_plan([("w1", [make_group()["id"]])])
    url = f"{PLANS}/{plan['id']}"
    read = client.get(url).json()
    saved = client.put(url, json={**read, "rto_minutes": 30})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["version"], saved.json()["rto_minutes"]) == (2, 30)
    problem(client.put(url, json={**read, "rto_minutes": 45}), 412)
    moved = {**saved.json(), "updated_at": "2020-01-01T00:00:00Z"}
    assert [e["path"] for e in problem(client.put(url, json=moved), 422)["errors"]] == [
        "updated_at"
    ]
    problem(client.put(url, json={k: v for k, v in read.items() if k != "version"}), 428)
    problem(client.delete(url), 428)
    assert client.get(url).json()["rto_minutes"] == 30
