"""Store benchmark: SQLite against DynamoDB (moto server) on the same use cases.

* list pages of servers, groups and plans: latency per page, DynamoDB requests and
  consumed capacity per page;
* a drill of a 1,000-server execution driven by the engine (virtual sandbox clock):
  advances, wall time per advance, DynamoDB requests and capacity per advance and per
  server launched;
* the items a 5,000-server execution is written as: count, bytes, the largest item.

moto answers every DynamoDB request in Python over HTTP, and moto 5.2.5 deep-copies the
whole table for each item of a TransactWriteItems (its rollback copy): its latencies grow
with the table and say nothing of DynamoDB's. The request, capacity and item counts carry
over. `--quick` runs everything at tiny sizes; `--servers N` sets the fleet (default 2,000:
half grouped for the lists, half drilled), which at full size takes moto tens of minutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import boto3
import httpx
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import (
    ACCOUNT,
    HOST,
    REGION,
    SandboxTime,
    bench_container,
    free_port,
    gateway,
    many_servers,
    register,
    serve_app,
    server_env,
)
from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.adapters.storage.dynamodb.records import all_items
from drorch.adapters.storage.dynamodb.table import item_size
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Execution
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.config import EngineConfig
from drorch.engine.runner import Runner
from drorch.ports.store import ListQuery, ServerQuery, Store
from drorch.sandbox import Sandbox, create_app
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan

RESULTS = Path(__file__).parent / "results" / "store.json"


@contextmanager
def moto_server() -> Iterator[str]:
    """moto server on a free 127.0.0.1 port (a subprocess, reached over HTTP)."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]
    process = subprocess.Popen(
        command, env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://{HOST}:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/moto-api/data.json", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a busy moto may not stop in time
            process.kill()
            process.wait()


def dynamodb_store(url: str, prefix: str) -> DynamoStore:
    """The DynamoDB store on moto, with fake credentials."""
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
    )
    # One attempt, waited for: moto's transactions slow down as the table grows (it copies
    # it per item), and moto ignores ClientRequestToken, so a transaction botocore re-sent
    # after a read timeout would fail the conditions its first attempt already met.
    config = Config(retries={"total_max_attempts": 1}, read_timeout=900)
    client = session.client("dynamodb", endpoint_url=url, config=config)
    return DynamoStore(client, prefix=prefix)


class Meter:
    """DynamoDB requests and consumed capacity since the last mark (zeros for SQLite)."""

    def __init__(self, store: Store) -> None:
        self.table = getattr(store, "table", None)
        self.mark()

    def mark(self) -> None:
        """Start counting again."""
        self._calls = self._total_calls()
        self._capacity = self.table.capacity if self.table else 0.0

    def taken(self) -> tuple[int, float]:
        """(requests, capacity units) since the mark."""
        capacity = (self.table.capacity if self.table else 0.0) - self._capacity
        return self._total_calls() - self._calls, round(capacity, 1)

    def _total_calls(self) -> int:
        return sum(self.table.calls.values()) if self.table else 0


def timed(run: Callable[[], Any], meter: Meter, repeat: int) -> dict[str, Any]:
    """Median and worst latency of `run`, and its DynamoDB requests per call."""
    times = []
    meter.mark()
    for _ in range(repeat):
        begin = time.perf_counter()
        run()
        times.append((time.perf_counter() - begin) * 1000)
    calls, capacity = meter.taken()
    return {
        "median_ms": round(statistics.median(times), 2),
        "max_ms": round(max(times), 2),
        "dynamodb_requests_per_call": round(calls / repeat, 1),
        "capacity_units_per_call": round(capacity / repeat, 1),
    }


def catalog(store: Store, servers: list[str], groups: int) -> list[str]:
    """Groups of the fleet's servers and one plan per group; the group ids."""
    size = max(1, len(servers) // groups)
    ids = []
    for n in range(groups):
        members = servers[n * size : (n + 1) * size]
        draft = GroupDraft(
            name=f"g-{n:04d}",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=members),
        )
        group = create_group(store=store, draft=draft).group
        plan = PlanDraft(name=f"p-{n:04d}", waves=[Wave(name="w", protection_group_ids=[group.id])])
        create_plan(store=store, draft=plan)
        ids.append(group.id)
    return ids


def list_pages(store: Store, repeat: int) -> dict[str, Any]:
    """Latency and requests of the list pages the API serves most."""
    meter = Meter(store)

    def page(make: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with store.read() as uow:
                return make(uow)

        return run

    cases = {
        "servers_by_hostname_100": lambda u: u.servers.page_json(ServerQuery(limit=100)),
        "servers_stalled_filter_50": lambda u: u.servers.page_json(
            ServerQuery(replication_state="STALLED", limit=50)
        ),
        "groups_by_name_50": lambda u: u.groups.page_json(ListQuery(limit=50)),
        "plans_by_name_50": lambda u: u.plans.page_json(ListQuery(limit=50)),
        "executions_newest_50": lambda u: u.executions.page(svc_query()),
    }
    return {name: timed(page(make), meter, repeat) for name, make in cases.items()}


def svc_query() -> Any:
    from drorch.ports.execution_store import ExecutionQuery

    return ExecutionQuery(limit=50)


def drill(
    store: Store, sandbox: Sandbox, url: str, servers: list[str], config: EngineConfig | None
) -> tuple[dict[str, Any], Execution]:
    """A two-wave drill of every server, run by the engine until nothing is due."""
    clock = SandboxTime(sandbox)
    drs = gateway(url, sandbox)
    container = bench_container(cast(Any, store), drs, clock, config=config)
    assert container.engine is not None
    half = len(servers) // 2
    waves = []
    for name, part in (("first", servers[:half]), ("second", servers[half:])):
        draft = GroupDraft(
            name=f"drill-{name}",
            account_id=ACCOUNT,
            region=REGION,
            selection=Selection(server_ids=part),
        )
        waves.append(
            Wave(name=name, protection_group_ids=[create_group(store=store, draft=draft).group.id])
        )
    plan = create_plan(store=store, draft=PlanDraft(name="drill", waves=waves))
    meter = Meter(store)
    runner = Runner(container.engine)
    begin = time.perf_counter()
    # Instances kept: the figures are of the drill, not of the cleanup that would follow it.
    request = svc.StartRequest(plan_id_or_name=plan.id, type="DRILL", cleanup_after_minutes="keep")
    ex = svc.start_execution(
        store=store, drs=drs, clock=clock, request=request, config=container.engine_config
    )
    started_calls, started_capacity = meter.taken()
    meter.mark()
    advances = _run_until_idle(store, runner, clock)
    wall = time.perf_counter() - begin
    calls, capacity = meter.taken()
    done = svc.get_execution(store=store, execution_id=ex.id)
    launched = sum(1 for s in done.servers() if s.status == "LAUNCHED")
    return {
        "servers": len(servers),
        "status": done.status,
        "launched": launched,
        "advances": advances,
        "wall_seconds": round(wall, 1),
        "wall_ms_per_advance": round(wall * 1000 / max(advances, 1), 1),
        "start_dynamodb_requests": started_calls,
        "start_capacity_units": started_capacity,
        "dynamodb_requests_per_advance": round(calls / max(advances, 1), 1),
        "capacity_units_per_advance": round(capacity / max(advances, 1), 1),
        "dynamodb_requests_per_server_launched": round(calls / max(launched, 1), 2),
        "capacity_units_per_server_launched": round(capacity / max(launched, 1), 2),
    }, done


def _run_until_idle(store: Store, runner: Runner, clock: SandboxTime) -> int:
    advances = 0
    while True:
        advances += len(runner.run_once())
        with store.read() as uow:
            due = uow.executions.next_due()
        if due is None:
            return advances
        clock.sleep(min(max((due - clock.now()).total_seconds(), 0.0), 60.0))


def execution_items(ex: Execution, count: int) -> dict[str, Any]:
    """The items a `count`-server copy of a finished execution is written as."""
    big = scaled(ex, count)
    items = all_items(big)
    sizes = [item_size(i) for i in items]
    claims = count  # one small claim item per server while the execution is active
    return {
        "servers": count,
        "items": len(items) + claims,
        "record_items": len(items),
        "claim_items": claims,
        "bytes": sum(sizes),
        "largest_item_bytes": max(sizes),
        "snapshot_chunks": sum(1 for i in items if i["sk"].startswith("ss#")),
        "bytes_per_server": round(sum(sizes) / count),
    }


def scaled(ex: Execution, count: int) -> Execution:
    """The execution with its servers repeated under new ids until there are `count`."""
    runs = [s for w in ex.waves for s in w.servers]
    snaps = ex.snapshot.servers
    ids = [f"s-{n:017x}" for n in range(1, count + 1)]
    new_snaps = [
        snaps[i % len(snaps)].model_copy(update={"source_server_id": sid})
        for i, sid in enumerate(ids)
    ]
    new_runs = [
        runs[i % len(runs)].model_copy(update={"source_server_id": sid})
        for i, sid in enumerate(ids)
    ]
    per_wave = -(-count // len(ex.waves))
    waves = [
        w.model_copy(update={"servers": new_runs[i * per_wave : (i + 1) * per_wave]})
        for i, w in enumerate(ex.waves)
    ]
    snapshot = ex.snapshot.model_copy(update={"servers": new_snaps})
    return ex.model_copy(update={"waves": waves, "snapshot": snapshot})


def one_store(name: str, store: Store, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure for one store over its own sandbox."""
    fleet = many_servers(args.servers)
    sandbox = Sandbox.open(fleet, clock="virtual")
    phases: dict[str, float] = {}
    with serve_app(create_app(sandbox)) as url:
        with phase(phases, name, "inventory"):
            register(cast(Any, store), sandbox)
            sync_inventory(store=store, drs=gateway(url, sandbox))
        ids = [s["id"] for s in fleet["servers"]]
        with phase(phases, name, "catalog"):
            catalog(store, ids[: len(ids) // 2], args.groups)
        results: dict[str, Any] = {"store": name}
        with phase(phases, name, "lists"):
            results["lists"] = list_pages(store, args.repeat)
        # --quick polls seldom: the same path in a few advances (moto answers slowly).
        config = EngineConfig(fast_poll=120.0, slow_poll=300.0) if args.quick else None
        with phase(phases, name, "drill"):
            figures, done = drill(store, sandbox, url, ids[len(ids) // 2 :], config)
        results["drill"] = figures
        results["execution_items"] = execution_items(done, args.execution_servers)
    results["phase_seconds"] = phases
    return results


@contextmanager
def phase(phases: dict[str, float], store: str, name: str) -> Iterator[None]:
    """Time one phase of a store's run, and say so on stderr (a full run takes a while)."""
    begin = time.perf_counter()
    yield
    phases[name] = round(time.perf_counter() - begin, 1)
    print(f"{store}: {name} took {phases[name]} s", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run both stores, print their figures and write the JSON."""
    args = _arguments(argv)
    results: dict[str, Any] = {"quick": args.quick}
    folder = Path(tempfile.mkdtemp(prefix="drorch-store-bench-"))
    sqlite = SqliteStore(folder / "drorch.db")
    results["sqlite"] = one_store("sqlite", sqlite, args)
    sqlite.close()
    with moto_server() as url:
        results["dynamodb"] = one_store("dynamodb", dynamodb_store(url, "bench"), args)
    for name in ("sqlite", "dynamodb"):
        print(name, json.dumps(results[name], indent=2), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    parser.add_argument("--servers", type=int, help="Fleet size (default 2,000; half drilled).")
    args = parser.parse_args(argv)
    # The fleet's second half is the drill's; the first half is grouped for the lists.
    args.servers, args.groups, args.repeat = (
        (16, 2, 1) if args.quick else (args.servers or 2000, 100, 5)
    )
    args.execution_servers = 50 if args.quick else 5000
    return args


if __name__ == "__main__":
    main()
