"""GET /api/v1/source-servers through a real server: filters, sort, cursor pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from drorch.domain.inventory import SourceServer
from tests.integration.conftest import (
    FLEET_ACCOUNT,
    FLEET_SIZE,
    SERVERS,
    fleet,
)
from tests.support.builders import ACCOUNT

FLEET = fleet(FLEET_ACCOUNT)
SORT_KEYS: dict[str, Callable[[SourceServer], Any]] = {
    "hostname": lambda s: s.hostname.lower(),
    "id": lambda s: s.id,
    "account_id": lambda s: s.account_id,
    "region": lambda s: s.region,
    "replication_state": lambda s: s.replication_state,
}


def walk(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Every item of a listing, following next_cursor; checks the pages on the way."""
    items: list[dict[str, Any]] = []
    query = {"account_id": FLEET_ACCOUNT, **params}
    for _ in range(1000):
        response = client.get(SERVERS, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= query.get("limit", 100)
        items += page["items"]
        if page["next_cursor"] is None:
            ids = [i["id"] for i in items]
            assert len(ids) == len(set(ids)), "a server appeared on two pages"
            return items
        assert page["items"], "an empty page still had a next_cursor"
        query["cursor"] = page["next_cursor"]
    raise AssertionError("pagination did not end")


def expected(pick: Callable[[SourceServer], bool], sort: str = "hostname") -> list[str]:
    """The fleet ids a filter should return, in the API's order (sort value, then id)."""
    key = SORT_KEYS[sort.lstrip("-")]
    chosen = sorted((s for s in FLEET if pick(s)), key=lambda s: (key(s), s.id))
    if sort.startswith("-"):
        chosen.reverse()
    return [s.id for s in chosen]


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def test_account_filter_returns_exactly_that_account(client: httpx.Client) -> None:
    assert ids(walk(client)) == expected(lambda s: True)


def test_region_filter(client: httpx.Client) -> None:
    found = walk(client, region="us-west-2")
    assert ids(found) == expected(lambda s: s.region == "us-west-2")
    assert {i["region"] for i in found} == {"us-west-2"}


def test_repeated_tags_must_all_match(client: httpx.Client) -> None:
    found = walk(client, tag=["env=prod", "tier=web"])
    assert ids(found) == expected(lambda s: s.tags == {"env": "prod", "tier": "web"})
    assert found, "the fleet has prod web servers"


def test_one_tag_matches_more_than_two(client: httpx.Client) -> None:
    assert len(walk(client, tag=["env=prod"])) > len(walk(client, tag=["env=prod", "tier=web"]))


def test_replication_state_filter(client: httpx.Client) -> None:
    found = walk(client, replication_state="STALLED")
    assert ids(found) == expected(lambda s: s.replication_state == "STALLED")
    assert all(not i["replication_healthy"] for i in found)


def test_search_is_a_case_insensitive_hostname_substring(client: httpx.Client) -> None:
    assert ids(walk(client, search="DB-0")) == expected(lambda s: "db-0" in s.hostname)


def test_search_treats_like_wildcards_literally(client: httpx.Client) -> None:
    assert walk(client, search="%") == []
    assert walk(client, search="_") == []


def test_filters_combine(client: httpx.Client) -> None:
    found = walk(client, region="us-east-1", tag=["env=dev"], search="app", limit=3)
    want = expected(
        lambda s: s.region == "us-east-1" and s.tags["env"] == "dev" and "app" in s.hostname
    )
    assert ids(found) == want


def test_assigned_unassigned_and_group_filters(
    client: httpx.Client, make_group: Callable[..., dict[str, Any]]
) -> None:
    east = [s.id for s in FLEET if s.region == "us-east-1"][:5]
    group = make_group(ids=east, account_id=FLEET_ACCOUNT, region="us-east-1")
    assert sorted(ids(walk(client, assigned="true"))) == sorted(east)
    assert ids(walk(client, assigned="false")) == expected(lambda s: s.id not in east)
    assert sorted(ids(walk(client, group_id=group["id"]))) == sorted(east)


def listed(client: httpx.Client, server_id: str) -> dict[str, Any]:
    """The one listing item of a pool server, found by its hostname."""
    hostname = f"pool-{int(server_id[2:], 16):05d}"
    items = client.get(SERVERS, params={"account_id": ACCOUNT, "search": hostname}).json()["items"]
    assert [i["id"] for i in items] == [server_id]
    item: dict[str, Any] = items[0]
    return item


def test_items_name_the_group_holding_them(
    client: httpx.Client,
    make_group: Callable[..., dict[str, Any]],
    pool: Callable[[int], list[str]],
) -> None:
    *members, free = pool(3)
    name = f'core "{members[0][-4:]}" · Zürich'  # quotes and non-ASCII stay one JSON string
    group = make_group(name=name, ids=members)
    for server_id in members:
        item = listed(client, server_id)
        assert (item["group_id"], item["group_name"]) == (group["id"], name)
    item = listed(client, free)
    assert item["group_id"] is None and item["group_name"] is None
    held = client.get(SERVERS, params={"group_id": group["id"]}).json()["items"]
    assert {(i["id"], i["group_name"]) for i in held} == {(m, name) for m in members}


@pytest.mark.parametrize("sort", [*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS)])
def test_every_sort_orders_by_value_then_id(client: httpx.Client, sort: str) -> None:
    assert ids(walk(client, sort=sort, limit=7)) == expected(lambda s: True, sort)


@pytest.mark.parametrize("limit", [1, 7, 59, 60, 500])
def test_cursor_walk_visits_every_server_once(client: httpx.Client, limit: int) -> None:
    assert ids(walk(client, limit=limit)) == expected(lambda s: True)


def test_last_full_page_has_no_cursor(client: httpx.Client) -> None:
    page = client.get(SERVERS, params={"account_id": FLEET_ACCOUNT, "limit": FLEET_SIZE}).json()
    assert len(page["items"]) == FLEET_SIZE
    assert page["next_cursor"] is None


def test_cursor_of_another_sort_is_refused(client: httpx.Client) -> None:
    first = client.get(SERVERS, params={"account_id": FLEET_ACCOUNT, "limit": 5}).json()
    response = client.get(
        SERVERS, params={"account_id": FLEET_ACCOUNT, "sort": "-id", "cursor": first["next_cursor"]}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["path"] for e in response.json()["errors"]] == ["cursor"]


def test_server_shape(client: httpx.Client) -> None:
    item = client.get(SERVERS, params={"account_id": FLEET_ACCOUNT, "limit": 1}).json()["items"][0]
    assert set(item) >= {
        "id",
        "account_id",
        "region",
        "hostname",
        "os",
        "tags",
        "replication_state",
        "replication_healthy",
        "lag_seconds",
        "last_launch_result",
        "group_id",
        "group_name",
    }


@pytest.mark.parametrize(
    ("path", "names", "a_sort"),
    [
        (
            SERVERS,
            {"account_id", "region", "tag", "replication_state", "assigned", "group_id", "search"},
            "-hostname",
        ),
        ("/api/v1/protection-groups", {"search", "account_id", "region"}, "-name"),
        ("/api/v1/recovery-plans", {"search"}, "-created_at"),
    ],
)
def test_openapi_documents_every_list_parameter(
    client: httpx.Client, path: str, names: set[str], a_sort: str
) -> None:
    operation = client.get("/api/openapi.json").json()["paths"][path]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == names | {"sort", "limit", "cursor"}
    assert all(p["in"] == "query" and not p["required"] for p in parameters.values())
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 100,
    }
    assert a_sort in parameters["sort"]["schema"]["enum"]
