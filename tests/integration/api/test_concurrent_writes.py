"""Conflicting writes racing over real HTTP: exactly one wins, the others get 409 or 412."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.store import ListQuery
from tests.integration.conftest import GROUPS, PLANS, group_body, plan_body, unique_name
from tests.support.server import RunningServer, api_client

RACERS = 6
Request = Callable[[httpx.Client], httpx.Response]


def race(api: RunningServer, requests: list[Request]) -> list[httpx.Response]:
    """Send the requests from separate threads released at the same moment."""
    barrier = threading.Barrier(len(requests))

    def run(request: Request) -> httpx.Response:
        with api_client(api) as http:
            barrier.wait()
            return request(http)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(run, requests))


def posting(path: str, body: dict[str, Any]) -> Request:
    """A request that POSTs the body."""
    return lambda http: http.post(path, json=body)


def putting(path: str, body: dict[str, Any], version: str) -> Request:
    """A request that PUTs the body guarded by If-Match."""
    return lambda http: http.put(path, json=body, headers={"If-Match": version})


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


@pytest.mark.parametrize("round_", range(3))
def test_same_group_name_created_at_once(
    api: RunningServer, store: SqliteStore, round_: int
) -> None:
    name = unique_name("race")
    bodies = [group_body(name.upper() if i % 2 else name) for i in range(RACERS)]
    responses = race(api, [posting(GROUPS, b) for b in bodies])
    assert statuses(responses) == [201] + [409] * (RACERS - 1)
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.headers["content-type"].startswith("application/problem+json")
    with store.read() as uow:
        assert len(uow.groups.page(ListQuery(search=name)).items) == 1


@pytest.mark.parametrize("round_", range(3))
def test_two_groups_claiming_the_same_server(
    api: RunningServer, store: SqliteStore, pool: Callable[[int], list[str]], round_: int
) -> None:
    shared, *own = pool(RACERS + 1)
    bodies = [group_body(ids=[shared, mine]) for mine in own]
    responses = race(api, [posting(GROUPS, b) for b in bodies])
    assert statuses(responses) == [201] + [409] * (RACERS - 1)
    winner = next(r.json() for r in responses if r.status_code == 201)
    for loser in (r.json() for r in responses if r.status_code == 409):
        assert loser["conflicts"][0]["source_server_id"] == shared
        assert loser["conflicts"][0]["group_id"] == winner["id"]
    with store.read() as uow:
        held = uow.groups.holders([shared, *own])
    assert {s: g for s, (g, _) in held.items()} == {
        s: winner["id"] for s in winner["member_server_ids"]
    }


def test_two_puts_with_the_same_if_match(
    api: RunningServer, client: httpx.Client, store: SqliteStore
) -> None:
    group = client.post(GROUPS, json=group_body()).json()
    url = f"{GROUPS}/{group['id']}"
    bodies = [group_body(group["name"], description=f"writer {i}") for i in range(RACERS)]
    responses = race(api, [putting(url, b, '"1"') for b in bodies])
    assert statuses(responses) == [200] + [412] * (RACERS - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    with store.read() as uow:
        saved = uow.groups.get(group["id"])
    assert saved is not None and saved.version == 2
    assert saved.description == winner["description"]


def test_two_plan_puts_with_the_same_if_match(
    api: RunningServer, client: httpx.Client, make_group: Callable[..., dict[str, Any]]
) -> None:
    group = make_group()
    plan = client.post(PLANS, json=plan_body(None, [("w", [group["id"]])])).json()
    url = f"{PLANS}/{plan['id']}"
    bodies = [
        plan_body(plan["name"], [("w", [group["id"]])], rto_minutes=10 + i) for i in range(RACERS)
    ]
    responses = race(api, [putting(url, b, '"1"') for b in bodies])
    assert statuses(responses) == [200] + [412] * (RACERS - 1)


def test_same_plan_name_created_at_once(
    api: RunningServer, make_group: Callable[..., dict[str, Any]]
) -> None:
    group = make_group()
    name = unique_name("race-plan")
    body = plan_body(name, [("w", [group["id"]])])
    responses = race(api, [lambda h: h.post(PLANS, json=body)] * RACERS)
    assert statuses(responses) == [201] + [409] * (RACERS - 1)


def test_delete_racing_an_update(
    api: RunningServer, client: httpx.Client, store: SqliteStore
) -> None:
    group = client.post(GROUPS, json=group_body()).json()
    url = f"{GROUPS}/{group['id']}"
    guard = {"If-Match": '"1"'}
    responses = race(
        api,
        [
            lambda h: h.delete(url, headers=guard),
            lambda h: h.put(url, json=group_body(group["name"]), headers=guard),
        ],
    )
    codes = statuses(responses)
    # Whoever commits first wins; the other finds the group gone (404) or changed (412).
    assert codes in ([200, 412], [204, 404]), codes
    with store.read() as uow:
        saved = uow.groups.get(group["id"])
    assert (saved is None) == (204 in codes)
