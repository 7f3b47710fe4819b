"""Start a DRS sandbox on a free 127.0.0.1 port in a background thread, with boto3 clients.

    with running_sandbox(clock="virtual") as sb:
        drs = sb.client()                  # first fleet account, first Region
        drs.describe_source_servers()
        sb.advance(600)                    # ten sandbox minutes
        gateway = sb.gateway()             # drorch's own DRS adapter, pointed here

Every boto3 client made here checks each response against the botocore `drs` model.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
import uvicorn
from botocore.config import Config

from drorch.adapters.aws.drs import BotoDrsGateway, SandboxAccount
from drorch.ports.drs import Scope
from drorch.sandbox import Sandbox, create_app
from drorch.sandbox.clock import ClockMode
from tests.support.drs_model import attach_validator

HOST = "127.0.0.1"
SECRET = "sandbox-secret"
# Tests see throttling and errors as DRS sends them; drorch's own code does the retrying.
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)


@dataclass
class RunningSandbox:
    """A sandbox served over HTTP, plus helpers to talk to it."""

    url: str
    sandbox: Sandbox
    validated: list[str] = field(default_factory=list)

    def access_key(self, account: str | None = None) -> str:
        """An access key for an account of the fleet (the first account by default)."""
        chosen = account or self.sandbox.fleet.accounts[0].id
        return str(next(a.keys[0] for a in self.sandbox.fleet.accounts if a.id == chosen))

    def region(self, account: str | None = None) -> str:
        """The first Region of an account."""
        chosen = account or self.sandbox.fleet.accounts[0].id
        return str(self.sandbox.fleet.account_regions()[chosen][0])

    def client(self, account: str | None = None, region: str | None = None, **kw: Any) -> Any:
        """A boto3 `drs` client for an account and Region; responses are model-checked."""
        session = boto3.session.Session(
            aws_access_key_id=self.access_key(account),
            aws_secret_access_key=SECRET,
            region_name=region or self.region(account),
        )
        client = session.client("drs", endpoint_url=self.url, config=kw.pop("config", NO_RETRY))
        return self.validate(client)

    def gateway(self, config: Config | None = None) -> BotoDrsGateway:
        """drorch's DRS adapter for every scope of the fleet, with model-checked clients."""
        accounts = [
            SandboxAccount(a.id, a.keys[0], tuple(self.sandbox.fleet.account_regions()[a.id]))
            for a in self.sandbox.fleet.accounts
        ]
        return BotoDrsGateway.for_sandbox(
            self.url,
            accounts,
            config=config or NO_RETRY,
            on_client=self.validate,
        )

    def validate(self, client: Any) -> Any:
        """Attach the model check to a boto3 drs client (counted in `validated`)."""
        return attach_validator(client, self.validated)

    def time(self) -> SandboxTime:
        """A Clock (ports.clock) that reads and moves this sandbox's time."""
        return SandboxTime(self.sandbox)

    def scopes(self) -> list[Scope]:
        """Every account and Region of the fleet."""
        regions = self.sandbox.fleet.account_regions()
        return [Scope(a, r) for a, rs in regions.items() for r in rs]

    def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        """Call the admin API, e.g. `admin("POST", "faults", {...})`."""
        return httpx.request(method, f"{self.url}/_sandbox/{path}", json=body, timeout=10)

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock through the admin API."""
        response = self.admin("POST", "clock/advance", {"seconds": seconds})
        response.raise_for_status()

    def stats(self) -> dict[str, Any]:
        """The admin API's call and launch counts."""
        return dict(self.admin("GET", "stats").json())


@dataclass
class SandboxTime:
    """drorch's Clock port on the sandbox's clock: `sleep` moves sandbox time forward.

    Hand it to the engine in tests so that its waits and DRS's job timings share one
    virtual timeline (hours of recovery in milliseconds).
    """

    sandbox: Sandbox

    def now(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.sandbox.clock.now(), UTC)

    def sleep(self, seconds: float) -> None:
        """Let `seconds` of sandbox time pass (no real waiting)."""
        self.sandbox.advance(max(0.0, seconds))


@contextmanager
def serve_app(app: Any, port: int = 0) -> Iterator[str]:
    """Serve an ASGI app on 127.0.0.1 (a free port by default) in a thread; yields its URL."""
    # Port 0 lets uvicorn bind a free port itself (a socket handed in loses TCP_NODELAY).
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("sandbox server did not start")
            thread.join(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def running_sandbox(
    fleet: dict[str, Any] | Path | str | None = None,
    *,
    clock: ClockMode = "virtual",
    time_scale: float = 1.0,
    state_file: Path | None = None,
) -> Iterator[RunningSandbox]:
    """A sandbox for a fleet (dict, file, or the demo fleet) served on 127.0.0.1."""
    sandbox = Sandbox.open(fleet, clock=clock, time_scale=time_scale, state_file=state_file)
    with serve_app(create_app(sandbox)) as url:
        yield RunningSandbox(url=url, sandbox=sandbox)


# -- small, predictable fleets for sandbox tests ------------------------------------------

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "us-east-1"
DR_REGION = "us-west-2"
KEY = "SBXTEST"
OTHER_KEY = "SBXOTHER"


def sid(n: int) -> str:
    """A valid source server id numbered n."""
    return f"s-{n:017x}"


def small_fleet() -> dict[str, Any]:
    """Four Linux, two Windows, one stalled, one initial-sync server; two accounts."""
    servers: list[dict[str, Any]] = [
        {"id": sid(i), "account": ACCOUNT, "region": REGION, "hostname": f"lin-{i}"}
        for i in range(1, 5)
    ]
    servers += [
        {"id": sid(5), "account": ACCOUNT, "region": REGION, "hostname": "win-5", "os": "WINDOWS"},
        {"id": sid(6), "account": ACCOUNT, "region": REGION, "hostname": "win-6", "os": "WINDOWS"},
        {
            "id": sid(7),
            "account": ACCOUNT,
            "region": REGION,
            "hostname": "stalled-7",
            "replication_state": "STALLED",
            "lag_seconds": 3600,
        },
        {
            "id": sid(8),
            "account": ACCOUNT,
            "region": REGION,
            "hostname": "new-8",
            "replication_state": "INITIAL_SYNC",
        },
        {"id": sid(9), "account": ACCOUNT, "region": DR_REGION, "hostname": "west-9"},
        {"id": sid(10), "account": OTHER_ACCOUNT, "region": REGION, "hostname": "other-10"},
    ]
    for server in servers:
        server.setdefault("tags", {"Tier": "web" if int(server["id"][2:], 16) % 2 else "db"})
    return {
        "seed": 7,
        "accounts": [
            {"id": ACCOUNT, "name": "test", "access_keys": [KEY]},
            {"id": OTHER_ACCOUNT, "name": "other", "access_keys": [OTHER_KEY]},
        ],
        "servers": servers,
    }


def many_servers(count: int, *, start: int = 1000) -> dict[str, Any]:
    """A one-account fleet of `count` Linux servers (for quota tests)."""
    return {
        "seed": 3,
        "accounts": [{"id": ACCOUNT, "access_keys": [KEY]}],
        "quotas": {"replicating_servers_per_account": max(300, count)},
        "servers": [
            {"id": sid(start + i), "account": ACCOUNT, "region": REGION, "hostname": f"h{i}"}
            for i in range(count)
        ],
    }


@pytest.fixture
def drs_sandbox() -> Iterator[RunningSandbox]:
    """A fresh demo-fleet sandbox on a virtual clock (import it into a conftest to use it)."""
    with running_sandbox(clock="virtual") as sb:
        yield sb


@contextmanager
def reset_and_checked(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The sandbox reset to its fleet; afterwards every response it sent must be model-checked."""
    assert served.admin("POST", "reset").status_code == 200
    before = len(served.validated)
    yield served
    received = sum(served.stats()["calls"].values())
    assert received == len(served.validated) - before


@pytest.fixture(scope="module")
def served() -> Iterator[RunningSandbox]:
    """The small fleet on a virtual clock, one server per test module."""
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        yield sb


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The module's sandbox, reset before the test and checked after it."""
    with reset_and_checked(served) as sandbox:
        yield sandbox
