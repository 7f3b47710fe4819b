"""What the benchmarks share: free ports, server environments, fleets and an engine world.

A home outside tests/ so that benchmarks never import the test suite; tests may use it.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import uvicorn

from drorch.adapters.aws.drs import BotoDrsGateway, SandboxAccount
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import Container, bootstrap
from drorch.config import Settings
from drorch.domain.accounts import AccountDraft
from drorch.domain.executions import Execution
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.config import EngineConfig
from drorch.engine.runner import Runner
from drorch.sandbox import Sandbox, create_app
from drorch.services import accounts
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan

HOST = "127.0.0.1"
# Runs the console entry point without depending on where the script was installed.
ENTRY = "from drorch.cli.main import main; main()"
ACCOUNT = "123456789012"
REGION = "us-east-1"
KEY = "SBXBENCH"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment without DRORCH_* settings (no real AWS), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["DRORCH_DRS_ENABLED"] = "false"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Served:
    """A `drorch serve` subprocess started by a benchmark."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def ps(self) -> psutil.Process:
        """The server process, for its CPU times and memory."""
        return psutil.Process(self.process.pid)


@contextmanager
def serve(
    data_dir: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    start_timeout: float = 60.0,
    stop_timeout: float = 30.0,
) -> Iterator[Served]:
    """`drorch serve [args]` on the data dir and a free port, healthy; stopped afterwards."""
    port = free_port()
    command = [sys.executable, "-c", ENTRY, "serve", *args]
    command += ["--host", HOST, "--port", str(port), "--data-dir", str(data_dir)]
    with (data_dir / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=server_env(env)
        )
    try:
        wait_healthy(port, process, start_timeout)
        yield Served(port, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    """Poll GET /health until it answers 200; SystemExit if the server dies or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"drorch serve exited with {process.returncode}")
        conn = http.client.HTTPConnection(HOST, port, timeout=2)
        try:
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise SystemExit(f"drorch serve did not become healthy within {timeout:.0f} s")


def sid(n: int) -> str:
    """A valid source server id numbered n."""
    return f"s-{n:017x}"


def ids(start: int, count: int) -> list[str]:
    """Source server ids start..start+count-1 of `many_servers`."""
    return [sid(start + i) for i in range(count)]


def many_servers(count: int, *, start: int = 1000) -> dict[str, Any]:
    """A one-account, one-Region fleet of `count` Linux servers."""
    return {
        "seed": 3,
        "accounts": [{"id": ACCOUNT, "access_keys": [KEY]}],
        "quotas": {"replicating_servers_per_account": max(300, count)},
        "servers": [
            {"id": sid(start + i), "account": ACCOUNT, "region": REGION, "hostname": f"h{i}"}
            for i in range(count)
        ],
    }


@contextmanager
def serve_app(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free 127.0.0.1 port in a thread; yields its URL."""
    config = uvicorn.Config(app, host=HOST, port=0, log_level="warning", lifespan="on")
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


class SandboxTime:
    """The engine's Clock on an in-process sandbox's virtual clock (sleep moves it)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def now(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.sandbox.clock.now(), UTC)

    def sleep(self, seconds: float) -> None:
        """Let `seconds` of sandbox time pass (no real waiting)."""
        self.sandbox.advance(max(0.0, seconds))


@dataclass
class World:
    """An in-process sandbox served over HTTP, a SQLite store, one engine runner."""

    sandbox: Sandbox
    store: SqliteStore
    clock: SandboxTime
    runner: Runner
    max_jump: float = 60.0

    def plan(
        self,
        name: str,
        waves: Sequence[tuple[str, Sequence[str]]],
        *,
        depends: dict[str, list[str]] | None = None,
    ) -> str:
        """One group per wave (explicit ids) and a plan over them; returns the plan id."""
        models = []
        for wave_name, server_ids in waves:
            draft = GroupDraft(
                name=f"{name}-{wave_name}",
                account_id=ACCOUNT,
                region=REGION,
                selection=Selection(server_ids=list(server_ids)),
            )
            group = create_group(store=self.store, draft=draft).group
            after = (depends or {}).get(wave_name)
            models.append(Wave(name=wave_name, protection_group_ids=[group.id], depends_on=after))
        return str(create_plan(store=self.store, draft=PlanDraft(name=name, waves=models)).id)

    def start(self, plan_id: str) -> Execution:
        """Start a drill of a plan."""
        request = svc.StartRequest(
            plan_id_or_name=plan_id, type="DRILL", cleanup_after_minutes="keep"
        )
        drs = self.runner.engine.drs
        config = self.runner.engine.config
        return svc.start_execution(
            store=self.store, drs=drs, clock=self.clock, request=request, config=config
        )

    def get(self, execution_id: str) -> Execution:
        """The stored execution."""
        return svc.get_execution(store=self.store, execution_id=execution_id)

    def tick(self) -> None:
        """Advance whatever is due now."""
        self.runner.run_once()

    def jump(self) -> bool:
        """Move sandbox time to the next due time (at most `max_jump`); False when idle."""
        with self.store.read() as uow:
            due = uow.executions.next_due()
        if due is None:
            return False
        gap = (due - self.clock.now()).total_seconds()
        self.clock.sleep(min(max(gap, 0.0), self.max_jump))
        return True


def register(store: SqliteStore, sandbox: Sandbox) -> None:
    """Register every fleet account as a target account in its Regions."""
    regions = sandbox.fleet.account_regions()
    for account_id, names in regions.items():
        draft = AccountDraft(name=f"bench-{account_id}", regions=list(names))
        accounts.register_account(store=store, account_id=account_id, draft=draft)


def gateway(url: str, sandbox: Sandbox) -> BotoDrsGateway:
    """drorch's DRS adapter for every scope of the sandbox's fleet."""
    regions = sandbox.fleet.account_regions()
    found = [SandboxAccount(a.id, a.keys[0], tuple(regions[a.id])) for a in sandbox.fleet.accounts]
    return BotoDrsGateway.for_sandbox(url, found)


def bench_container(
    store: SqliteStore, drs: Any, clock: Any, *, config: EngineConfig | None = None
) -> Container:
    """The container a process would build (bootstrap), over the benchmark's store, DRS, clock."""
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="drorch-bench-")), sandbox=False)
    container = bootstrap(settings, store=store, drs=drs, clock=clock)
    if config is not None and container.engine is not None:
        # A benchmark comparing engine timings swaps them on the one engine bootstrap built.
        container.engine.config = container.engine_config = config
    return container


@contextmanager
def world(fleet: dict[str, Any], *, config: EngineConfig | None = None) -> Iterator[World]:
    """A world over a fleet: its own sandbox on 127.0.0.1, an in-memory store, synced inventory."""
    sandbox = Sandbox.open(fleet, clock="virtual")
    with serve_app(create_app(sandbox)) as url:
        store = SqliteStore(":memory:")
        try:
            register(store, sandbox)
            clock = SandboxTime(sandbox)
            drs = gateway(url, sandbox)
            container = bench_container(store, drs, clock, config=config)
            assert container.runner is not None and container.engine is not None
            sync_inventory(store=store, drs=drs)
            runner = Runner(container.engine)  # driven step by step, never started
            yield World(sandbox=sandbox, store=store, clock=clock, runner=runner)
        finally:
            store.close()
