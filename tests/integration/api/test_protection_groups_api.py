"""Protection groups through a real server: CRUD, ETags, membership and plan conflicts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from drorch.adapters.storage.sqlite import SqliteStore
from tests.integration.conftest import (
    FLEET_ACCOUNTS,
    GROUPS,
    PLANS,
    fleet,
    group_body,
    problem,
    unique_name,
)

MakeGroup = Callable[..., dict[str, Any]]
Pool = Callable[[int], list[str]]
ACCOUNT = FLEET_ACCOUNTS[1]
FLEET = fleet(ACCOUNT)


def test_create_get_list_round_trip(client: httpx.Client, pool: Pool) -> None:
    ids = pool(3)
    body = group_body(
        ids=ids,
        description="web tier",
        launch_defaults={"instance_type": "m5.large", "subnet_id": "subnet-0123abcd"},
        server_overrides={ids[0]: {"optional": True, "instance_type": "t3.micro"}},
    )
    created = client.post(GROUPS, json=body)
    assert created.status_code == 201, created.text
    group = created.json()
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"{GROUPS}/{group['id']}"
    assert group["member_server_ids"] == sorted(ids)
    assert group["launch_defaults"]["instance_type"] == "m5.large"
    assert group["server_overrides"][ids[0]]["optional"] is True
    read = client.get(f"{GROUPS}/{group['id']}")
    assert read.headers["ETag"] == '"1"'
    assert read.json() == group
    listed = client.get(GROUPS, params={"search": body["name"].upper()}).json()["items"]
    assert [g["id"] for g in listed] == [group["id"]]


def test_names_are_unique_ignoring_case(client: httpx.Client, make_group: MakeGroup) -> None:
    group = make_group()
    clash = client.post(GROUPS, json=group_body(group["name"].upper()))
    assert group["name"] in problem(clash, 409)["detail"]


def test_update_with_if_match_bumps_the_version(client: httpx.Client, pool: Pool) -> None:
    first, more = pool(2), pool(2)
    group = client.post(GROUPS, json=group_body(ids=first)).json()
    url = f"{GROUPS}/{group['id']}"
    body = group_body(group["name"], ids=first + more, description="grown")
    updated = client.put(url, json=body, headers={"If-Match": '"1"'})
    assert updated.status_code == 200, updated.text
    assert updated.headers["ETag"] == '"2"'
    assert updated.json()["member_server_ids"] == sorted(first + more)
    assert updated.json()["created_at"] == group["created_at"]


def test_stale_if_match_is_412_and_writes_nothing(
    client: httpx.Client, make_group: MakeGroup, store: SqliteStore
) -> None:
    group = make_group()
    url = f"{GROUPS}/{group['id']}"
    assert client.put(url, json=group_body(group["name"]), headers={"If-Match": '"1"'}).is_success
    stale = client.put(url, json=group_body("renamed"), headers={"If-Match": 'W/"1"'})
    assert "version 2" in problem(stale, 412)["detail"]
    assert problem(client.delete(url, headers={"If-Match": '"1"'}), 412)
    with store.read() as uow:
        saved = uow.groups.get(group["id"])
    assert saved is not None and saved.name == group["name"] and saved.version == 2


def test_delete_then_404(client: httpx.Client, make_group: MakeGroup, pool: Pool) -> None:
    ids = pool(2)
    group = make_group(ids=ids)
    url = f"{GROUPS}/{group['id']}"
    deleted = client.delete(url, headers={"If-Match": '"1"'})
    assert deleted.status_code == 204
    assert problem(client.get(url), 404)
    assert problem(client.put(url, json=group_body()), 404)
    assert problem(client.delete(url), 404)
    # Its servers are free again.
    assert client.post(GROUPS, json=group_body(ids=ids)).status_code == 201


def test_overlap_409_names_each_server_and_its_group(
    client: httpx.Client, make_group: MakeGroup, pool: Pool, store: SqliteStore
) -> None:
    a, b, c, d = pool(4)
    holder = make_group(ids=[a, b, c])
    name = unique_name("pg")
    refused = problem(client.post(GROUPS, json=group_body(name, ids=[b, c, d])), 409)
    conflicts = {
        (x["source_server_id"], x["group_id"], x["group_name"]) for x in refused["conflicts"]
    }
    assert conflicts == {(b, holder["id"], holder["name"]), (c, holder["id"], holder["name"])}
    assert b in refused["detail"] and c in refused["detail"] and holder["name"] in refused["detail"]
    with store.read() as uow:
        assert uow.groups.find_by_name(name) is None
        assert uow.groups.holders([d]) == {}


def test_tag_selector_overlapping_an_explicit_group_is_409(
    client: httpx.Client, make_group: MakeGroup
) -> None:
    prod_west = [s.id for s in FLEET if s.region == "us-west-2" and s.tags["env"] == "prod"]
    holder = make_group(ids=prod_west[:1], account_id=ACCOUNT, region="us-west-2")
    body = group_body(tags={"env": "prod"}, account_id=ACCOUNT, region="us-west-2")
    refused = problem(client.post(GROUPS, json=body), 409)
    assert refused["conflicts"] == [
        {"source_server_id": prod_west[0], "group_id": holder["id"], "group_name": holder["name"]}
    ]


def test_tag_selector_resolves_to_matching_servers(
    client: httpx.Client, make_group: MakeGroup
) -> None:
    group = make_group(tags={"tier": "web"}, account_id=ACCOUNT, region="us-east-1")
    want = sorted(s.id for s in FLEET if s.region == "us-east-1" and s.tags["tier"] == "web")
    assert group["member_server_ids"] == want


def test_preview_lists_servers_and_conflicts(
    client: httpx.Client, make_group: MakeGroup, pool: Pool
) -> None:
    a, b = pool(2)
    holder = make_group(ids=[a])
    body = {k: v for k, v in group_body(ids=[a, b]).items() if k != "name"}
    preview = client.post(f"{GROUPS}/preview", json=body)
    assert preview.status_code == 200, preview.text
    assert [s["id"] for s in preview.json()["servers"]] == [a, b]
    assert [c["group_id"] for c in preview.json()["conflicts"]] == [holder["id"]]
    held_by = [(s["group_id"], s["group_name"]) for s in preview.json()["servers"]]
    assert held_by == [(holder["id"], holder["name"]), (None, None)]
    mine = client.post(f"{GROUPS}/preview", json={**body, "group_id": holder["id"]}).json()
    assert mine["conflicts"] == []


def test_preview_for_an_unknown_group_is_404(client: httpx.Client, pool: Pool) -> None:
    body = {k: v for k, v in group_body(ids=pool(1)).items() if k != "name"}
    refused = client.post(f"{GROUPS}/preview", json={**body, "group_id": "pg-000000000000"})
    assert "pg-000000000000" in problem(refused, 404)["detail"]


def test_openapi_types_the_selection_as_sent_and_accepted(
    client: httpx.Client, make_group: MakeGroup, pool: Pool
) -> None:
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]

    def selection(model: str) -> dict[str, Any]:
        ref = schemas[model]["properties"]["selection"]["$ref"]
        return dict(schemas[ref.rsplit("/", 1)[1]])

    ids = {"type": "array", "items": {"type": "string"}}
    tags = {"type": "object", "additionalProperties": {"type": "string"}, "minProperties": 1}
    bodies = ("ProtectionGroupCreate", "ProtectionGroupUpdate", "SelectionPreviewCreate")
    for model in ("ProtectionGroupRead", *bodies):
        by_ids, by_tags = selection(model)["oneOf"]
        assert (by_ids["required"], by_ids["properties"]["server_ids"]) == (["server_ids"], ids)
        assert (by_tags["required"], by_tags["properties"]["tags"]) == (["tags"], tags)
        assert by_ids["additionalProperties"] is False and by_tags["additionalProperties"] is False
    # A response holds just the chosen field, exactly as the read schema lists it.
    read_ids, read_tags = selection("ProtectionGroupRead")["oneOf"]
    assert make_group(ids=pool(1))["selection"].keys() == read_ids["properties"].keys()
    none = make_group(tags={"owner": unique_name("nobody")})
    assert none["selection"].keys() == read_tags["properties"].keys()


def test_group_used_by_plans_cannot_be_deleted(
    client: httpx.Client, make_group: MakeGroup, make_plan: Callable[..., Any]
) -> None:
    group = make_group()
    plans = [make_plan([("w1", [group["id"]])]) for _ in range(2)]
    guard = {"If-Match": '"1"'}
    refused = problem(client.delete(f"{GROUPS}/{group['id']}", headers=guard), 409)
    assert {c["plan_id"] for c in refused["conflicts"]} == {p["id"] for p in plans}
    assert all(p["name"] in refused["detail"] for p in plans)
    for plan in plans:
        assert client.delete(f"{PLANS}/{plan['id']}", headers=guard).status_code == 204
    assert client.delete(f"{GROUPS}/{group['id']}", headers=guard).status_code == 204


def test_selection_problems_name_the_field(client: httpx.Client, pool: Pool) -> None:
    (known,) = pool(1)
    foreign = FLEET[1].id
    body = group_body(ids=[known, "s-00000000000000fff", foreign, known])
    paths = [e["path"] for e in problem(client.post(GROUPS, json=body), 422)["errors"]]
    assert paths == [
        "selection.server_ids[1]",
        "selection.server_ids[2]",
        "selection.server_ids[3]",
    ]


def test_static_ip_rules_name_the_override(client: httpx.Client, pool: Pool) -> None:
    a, b, c = pool(3)
    body = group_body(
        ids=[a, b, c],
        launch_defaults={"subnet_cidr": "10.0.1.0/24"},
        server_overrides={
            a: {"static_private_ip": "10.0.2.5"},
            b: {"static_private_ip": "10.0.1.2"},
            c: {"static_private_ip": "10.0.1.300"},
        },
    )
    errors = problem(client.post(GROUPS, json=body), 422)["errors"]
    assert [e["path"] for e in errors] == [
        f"server_overrides.{x}.static_private_ip" for x in (a, b, c)
    ]


def test_list_filters_sort_and_pages(client: httpx.Client, make_group: MakeGroup) -> None:
    prefix = unique_name("lst")
    made = [make_group(name=f"{prefix}-{i}", account_id=ACCOUNT) for i in range(5)]
    seen: list[str] = []
    params: dict[str, Any] = {"search": prefix, "sort": "-name", "limit": 2}
    while True:
        page = client.get(GROUPS, params=params).json()
        seen += [g["name"] for g in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == sorted((g["name"] for g in made), reverse=True)
    scoped = client.get(GROUPS, params={"account_id": ACCOUNT, "search": prefix}).json()
    assert len(scoped["items"]) == 5
    assert client.get(GROUPS, params={"region": "eu-west-1", "search": prefix}).json() == {
        "items": [],
        "next_cursor": None,
    }


def test_put_takes_back_the_document_get_returned(
    client: httpx.Client, make_group: MakeGroup, pool: Pool
) -> None:
    group = make_group(ids=pool(2))
    url = f"{GROUPS}/{group['id']}"
    read = client.get(url).json()
    saved = client.put(url, json={**read, "description": "edited as read"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2
    assert saved.json()["description"] == "edited as read"
    assert saved.json()["member_server_ids"] == read["member_server_ids"]


def test_a_stale_document_is_412_not_a_lost_update(
    client: httpx.Client, make_group: MakeGroup
) -> None:
    group = make_group()
    url = f"{GROUPS}/{group['id']}"
    first = client.put(url, json={**group, "description": "first writer"})
    assert first.status_code == 200, first.text
    stale = problem(client.put(url, json={**group, "description": "second writer"}), 412)
    assert stale["current_version"] == 2
    assert client.get(url).json()["description"] == "first writer"


def test_read_only_fields_that_differ_are_named(
    client: httpx.Client, make_group: MakeGroup, pool: Pool, store: SqliteStore
) -> None:
    group = make_group(ids=pool(1))
    url = f"{GROUPS}/{group['id']}"
    changed = {
        **group,
        "id": "pg-000000000000",
        "created_at": "2020-01-01T00:00:00Z",
        "member_server_ids": ["s-00000000000000001"],
        "name": "renamed",
    }
    refused = problem(client.put(url, json=changed), 422)
    paths = [e["path"] for e in refused["errors"]]
    assert paths == ["id", "created_at", "member_server_ids"]
    with store.read() as uow:
        kept = uow.groups.get(group["id"])
    assert kept is not None and (kept.name, kept.version) == (group["name"], 1)


def test_a_change_that_names_no_version_is_428(
    client: httpx.Client, make_group: MakeGroup, store: SqliteStore
) -> None:
    group = make_group()
    url = f"{GROUPS}/{group['id']}"
    body = group_body(group["name"], description="no version named")
    for refused in (client.put(url, json=body), client.delete(url)):
        required = problem(refused, 428)
        assert [e["path"] for e in required["errors"]] == ["If-Match"]
    with store.read() as uow:
        kept = uow.groups.get(group["id"])
    assert kept is not None and kept.version == 1
    # If-Match: * says "whatever is there" on purpose.
    assert client.put(url, json=body, headers={"If-Match": "*"}).status_code == 200
    assert client.delete(url, headers={"If-Match": "*"}).status_code == 204


def test_a_selection_matching_nothing_is_saved_with_a_warning(
    client: httpx.Client, make_group: MakeGroup, pool: Pool
) -> None:
    group = make_group(tags={"app": "no-such-app"})
    assert group["member_server_ids"] == []
    assert group["warnings"] == [
        {
            "path": "selection",
            "message": "the tag selector (app=no-such-app) matches no source server "
            "in 111122223333/us-east-1",
        }
    ]
    assert client.get(f"{GROUPS}/{group['id']}").json()["warnings"] == group["warnings"]
    body = group_body(group["name"], ids=pool(1), version=group["version"])
    fixed = client.put(f"{GROUPS}/{group['id']}", json=body)
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["warnings"] == []


def test_an_override_for_a_server_outside_the_selection_warns(
    client: httpx.Client, make_group: MakeGroup, pool: Pool
) -> None:
    inside, outside = pool(2)
    overrides = {inside: {"optional": True}, outside: {"instance_type": "t3.micro"}}
    group = make_group(ids=[inside], server_overrides=overrides)
    assert [w["path"] for w in group["warnings"]] == [f"server_overrides.{outside}"]
    assert "not in the group's selection" in group["warnings"][0]["message"]
    body = {k: v for k, v in group_body(ids=[inside]).items() if k != "name"}
    preview = client.post(f"{GROUPS}/preview", json={**body, "server_overrides": overrides})
    assert preview.status_code == 200, preview.text
    assert preview.json()["warnings"] == group["warnings"]
    nothing = client.post(f"{GROUPS}/preview", json={**body, "selection": {"tags": {"x": "y"}}})
    assert [w["path"] for w in nothing.json()["warnings"]] == ["selection"]
