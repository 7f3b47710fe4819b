"""Fixtures for tests that talk to a real `drorch serve` over HTTP on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.inventory import SourceServer
from tests.support.builders import ACCOUNT, REGION, server, server_id
from tests.support.server import RunningServer, api_client, running_server, seed_servers

# Fleets live in accounts of their own (one per test module that lists or assigns them),
# so each module predicts its listings exactly while all modules share one server.
FLEET_ACCOUNTS = ("222233330001", "222233330002", "222233330003", "222233330004")
FLEET_ACCOUNT = FLEET_ACCOUNTS[0]
FLEET_SIZE = 60
# Servers in the builders' default scope, for groups and plans.
POOL_START = 1000
POOL_SIZE = 700
GROUPS = "/api/v1/protection-groups"
PLANS = "/api/v1/recovery-plans"
SERVERS = "/api/v1/source-servers"
_names = itertools.count(1)


def fleet_server(i: int, account: str = FLEET_ACCOUNT) -> SourceServer:
    """Server i of a fleet: region, tags, state and hostname follow from i."""
    return server(
        10_000 + 1000 * FLEET_ACCOUNTS.index(account) + i,
        account_id=account,
        region="us-west-2" if i % 3 == 0 else "us-east-1",
        hostname=f"{'db' if i % 4 == 0 else 'app'}-{i:03d}.corp",
        tags={"env": "prod" if i % 2 else "dev", "tier": "web" if i % 5 == 0 else "app"},
        replication_state="STALLED" if i % 7 == 0 else "CONTINUOUS",
    )


def fleet(account: str = FLEET_ACCOUNT) -> list[SourceServer]:
    """Every server of one fleet."""
    return [fleet_server(i, account) for i in range(FLEET_SIZE)]


def pool_server(n: int) -> SourceServer:
    """Server n of the group pool; every 50th one has unhealthy replication."""
    return server(
        n,
        hostname=f"pool-{n:05d}",
        tags={"app": f"app{n % 10}"},
        replication_state="BACKLOG" if n % 50 == 0 else "CONTINUOUS",
    )


def pool_ids(count: int, start: int = POOL_START) -> list[str]:
    """Ids of `count` consecutive pool servers."""
    return [server_id(n) for n in range(start, start + count)]


def standard_inventory() -> list[SourceServer]:
    """The inventory every integration server starts with."""
    fleets = [s for account in FLEET_ACCOUNTS for s in fleet(account)]
    return fleets + [pool_server(n) for n in range(POOL_START, POOL_START + POOL_SIZE)]


def unique_name(prefix: str = "t") -> str:
    """A name no other test of the session uses."""
    return f"{prefix}-{next(_names):04d}"


def group_body(
    name: str | None = None,
    *,
    ids: list[str] | None = None,
    tags: dict[str, str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A protection-group request body in the pool's scope."""
    selection = {"tags": tags} if tags is not None else {"server_ids": ids or []}
    body = {
        "name": name or unique_name("pg"),
        "account_id": ACCOUNT,
        "region": REGION,
        "selection": selection,
    }
    return {**body, **fields}


def plan_body(
    name: str | None, waves: list[tuple[str, list[str]]], **fields: Any
) -> dict[str, Any]:
    """A recovery-plan request body; waves are (name, group ids)."""
    body = {
        "name": name or unique_name("rp"),
        "waves": [{"name": w, "protection_group_ids": g} for w, g in waves],
    }
    return {**body, **fields}


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of a refused request, after checking status and media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A `drorch serve` with the standard inventory, shared by the whole session."""
    data_dir = tmp_path_factory.mktemp("serve")
    seed_servers(data_dir, standard_inventory())
    with running_server(data_dir) as running:
        yield running


@pytest.fixture(scope="session")
def client(api: RunningServer) -> Iterator[httpx.Client]:
    """An HTTP client for the module's server."""
    with api_client(api) as http:
        yield http


@pytest.fixture(scope="session")
def store(api: RunningServer) -> Iterator[SqliteStore]:
    """A second connection to the server's database, to check what was (not) written."""
    opened = api.store()
    yield opened
    opened.close()


@pytest.fixture
def make_group(client: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Create a group over HTTP (201 expected) and return its JSON."""

    def create(**kwargs: Any) -> dict[str, Any]:
        response = client.post(GROUPS, json=group_body(**kwargs))
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return create


@pytest.fixture
def make_plan(client: httpx.Client) -> Callable[..., dict[str, Any]]:
    """Create a plan over HTTP (201 expected) and return its JSON."""

    def create(waves: list[tuple[str, list[str]]], name: str | None = None, **fields: Any) -> Any:
        response = client.post(PLANS, json=plan_body(name, waves, **fields))
        assert response.status_code == 201, response.text
        return response.json()

    return create


@pytest.fixture(scope="session")
def pool(api: RunningServer) -> Callable[[int], list[str]]:
    """Hands out pool server ids no other test of the session has taken."""
    taken = itertools.count(POOL_START)

    def take(count: int) -> list[str]:
        first = next(taken)
        for _ in range(count - 1):
            next(taken)
        if first + count > POOL_START + POOL_SIZE:
            raise RuntimeError("the server pool is used up; raise POOL_SIZE")
        return pool_ids(count, first)

    return take


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data dir for tests that start their own server."""
    return tmp_path / "data"
