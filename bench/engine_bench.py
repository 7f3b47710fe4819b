"""Engine benchmark: wave-transition latency, makespan efficiency, 5,000-server scale.

Figures only (no pass/fail); prints a summary and writes bench/results/engine.json.

a. Wave-transition latency: from the last server of wave k reaching LAUNCHED in the
   sandbox to the StartRecovery of wave k+1, over 60 transitions, with adaptive polling
   and with a fixed 30-second poll. Measured on the sandbox's virtual clock, which the
   engine reads too: the figure is what the polling design costs. The engine's own
   processing time per advance (wall clock) is reported beside it.
b. Makespan efficiency on four plans (engine_plans.py): the critical-path-bound 10-wave
   plan and three quota-bound ones, against a lower bound in which a job holds its quota
   until its slowest server is done.
c. Scale: one 5,000-server execution across 5 accounts (5 account/Region pairs); the
   sandbox runs in its own process, so the peak RSS is that of engine + SQLite store;
   CPU per engine pass (all of it, and without the boto3 DRS client's share), store rows
   and record bytes written per server launched.
d. Serve: the peak RSS of `drorch serve --sandbox` running the same drill (engine_serve.py).

Ends with issue 12's engine targets, each with whether it is met.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._support import (  # noqa: E402
    ENTRY,
    HOST,
    bench_container,
    free_port,
    ids,
    many_servers,
    server_env,
    world,
)
from bench.engine_plans import LaunchLog, drive, makespan_figures  # noqa: E402
from bench.engine_serve import serve_figures  # noqa: E402
from bench.pass_meter import PassMeter, TimedDrs, write_bytes  # noqa: E402

from drorch.adapters.aws.drs import BotoDrsGateway  # noqa: E402
from drorch.adapters.storage.sqlite import SqliteStore  # noqa: E402
from drorch.domain.accounts import AccountDraft  # noqa: E402
from drorch.domain.groups import GroupDraft, Selection  # noqa: E402
from drorch.domain.plans import PlanDraft, Wave  # noqa: E402
from drorch.engine.config import EngineConfig  # noqa: E402
from drorch.engine.runner import Runner  # noqa: E402
from drorch.sandbox import synthetic_fleet  # noqa: E402
from drorch.services import executions as svc  # noqa: E402
from drorch.services.accounts import register_account  # noqa: E402
from drorch.services.groups import create_group  # noqa: E402
from drorch.services.inventory import sync_inventory  # noqa: E402
from drorch.services.plans import create_plan  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "engine.json"
FIXED_30S = EngineConfig(fast_poll=30.0, slow_poll=30.0)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def transition_latencies(
    config: EngineConfig | None, chains: int = 6, waves_per_chain: int = 11
) -> tuple[list[float], list[float]]:
    """Latencies (s) of every wave transition of chained plans (10 servers a wave), tick times."""
    latencies: list[float] = []
    timings: list[float] = []
    per_chain = waves_per_chain * 10
    with world(many_servers(chains * per_chain), config=config) as w:
        executions = []
        for p in range(chains):
            waves = [
                (f"w{k}", ids(1000 + p * per_chain + k * 10, 10)) for k in range(waves_per_chain)
            ]
            executions.append(w.start(w.plan(f"chain{p}", waves)))
        log = LaunchLog(w)
        drive(w, log, timings)
        for ex in executions:
            done = w.get(ex.id)
            assert done.status == "COMPLETED", done.status
            for before, after in zip(done.waves, done.waves[1:], strict=False):
                last = max(log.launched[s.source_server_id] for s in before.servers)
                first_job = min(
                    log.created[b.job_id or ""] for b in done.batches if b.wave == after.name
                )
                latencies.append(first_job - last)
    return latencies, timings


def latency_figures(chains: int = 6, waves_per_chain: int = 11) -> dict[str, Any]:
    """Wave-transition latency percentiles, adaptive polling against a fixed 30 s poll."""
    adaptive, timings = transition_latencies(None, chains, waves_per_chain)
    fixed, _ = transition_latencies(FIXED_30S, chains, waves_per_chain)
    figures = {
        "transitions": len(adaptive),
        "adaptive_p50_s": round(percentile(adaptive, 50), 3),
        "adaptive_p95_s": round(percentile(adaptive, 95), 3),
        "fixed_30s_p50_s": round(percentile(fixed, 50), 3),
        "fixed_30s_p95_s": round(percentile(fixed, 95), 3),
        "tick_wall_p95_ms": round(percentile(timings, 95) * 1000, 1),
    }
    figures["ratio_p50_fixed_over_adaptive"] = round(
        figures["fixed_30s_p50_s"] / max(figures["adaptive_p50_s"], 1e-9), 1
    )
    figures["ratio_p95_fixed_over_adaptive"] = round(
        figures["fixed_30s_p95_s"] / max(figures["adaptive_p95_s"], 1e-9), 1
    )
    return figures


class RemoteSandboxTime:
    """The engine's clock for a sandbox in another process (virtual time over its admin API).

    A virtual clock moves only when this clock sleeps, so the time is read once and then
    kept from each advance's answer: an HTTP request per `now()` would be the benchmark's
    own CPU counted as the engine's (a real clock costs nothing to read).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=30)
        self._epoch: float | None = None

    def now(self) -> datetime:
        if self._epoch is None:
            self._epoch = float(self.http.get(f"{self.url}/_sandbox/clock").json()["epoch"])
        return datetime.fromtimestamp(self._epoch, UTC)

    def sleep(self, seconds: float) -> None:
        info = self.http.post(f"{self.url}/_sandbox/clock/advance", json={"seconds": seconds})
        self._epoch = float(info.json()["epoch"])


def scale_figures(count: int = 5000, accounts: int = 5) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp())
    fleet = synthetic_fleet(count, accounts=accounts)
    (folder / "fleet.yaml").write_text(json.dumps(fleet))
    port = free_port()
    command = [sys.executable, "-c", ENTRY, "sandbox", "--host", HOST, "--port", str(port)]
    command += ["--fleet", str(folder / "fleet.yaml"), "--clock", "virtual"]
    process = subprocess.Popen(
        command, env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://{HOST}:{port}"
    try:
        _wait(url)
        return _scale_run(url, fleet, folder, count)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(url: str) -> None:
    for _ in range(600):
        try:
            if httpx.get(f"{url}/_sandbox/stats", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("sandbox did not start")


def _scale_run(url: str, fleet: dict[str, Any], folder: Path, count: int) -> dict[str, Any]:
    store = SqliteStore(folder / "drorch.db")
    for account in fleet["accounts"]:
        draft = AccountDraft(name=f"bench-{account['id']}", regions=["us-east-1"])
        register_account(store=store, account_id=account["id"], draft=draft)
    clock = RemoteSandboxTime(url)
    gateway = TimedDrs(BotoDrsGateway.for_sandbox_endpoint(url))
    sync_inventory(store=store, drs=gateway)
    plan_id = _scale_plan(store, fleet)
    container = bench_container(store, gateway, clock)
    assert container.engine is not None
    meter = PassMeter(container.engine, gateway)
    runner = Runner(container.engine)
    before_rows, before_bytes, before_io = _rows_written(store), store.meter.bytes, write_bytes()
    begin = time.perf_counter()
    # Instances kept: the figures are of the drill itself, not of its cleanup afterwards.
    request = svc.StartRequest(plan_id_or_name=plan_id, type="DRILL", cleanup_after_minutes="keep")
    ex = svc.start_execution(
        store=store, drs=gateway, clock=clock, request=request, config=container.engine_config
    )
    advances = 0
    while True:
        advances += len(runner.run_once())
        with store.read() as uow:
            due = uow.executions.next_due()
        if due is None:
            break
        clock.sleep(min(max((due - clock.now()).total_seconds(), 0.0), 60.0))
    wall = time.perf_counter() - begin
    done = svc.get_execution(store=store, execution_id=ex.id)
    launched = sum(1 for s in done.servers() if s.status == "LAUNCHED")
    rows = _rows_written(store) - before_rows
    json_bytes = store.meter.bytes - before_bytes
    io_bytes = write_bytes() - before_io
    stats = httpx.get(f"{url}/_sandbox/stats").json()
    store.close()
    return {
        "servers": count,
        "scopes": len({(s.account_id, s.region) for s in done.servers()}),
        "status": done.status,
        "launched": launched,
        "launches_counted_by_sandbox": sum(stats["launches"].values()),
        "advances": advances,
        "describe_jobs_calls": stats["calls"].get("DescribeJobs", 0),
        **meter.figures(),
        "store_rows_written": rows,
        "store_rows_written_per_server_launched": round(rows / max(launched, 1), 3),
        "record_json_bytes_per_server_launched": round(json_bytes / max(launched, 1)),
        "write_syscall_bytes_per_server_launched": (
            round(io_bytes / max(launched, 1)) if io_bytes >= 0 else None
        ),
        "peak_rss_mb_engine_process": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "wall_seconds": round(wall, 1),
    }


def _scale_plan(store: SqliteStore, fleet: dict[str, Any]) -> str:
    """Two waves; each holds half of every account's servers (5 scopes in parallel)."""
    by_account: dict[str, list[str]] = {}
    for server in fleet["servers"]:
        by_account.setdefault(server["account"], []).append(server["id"])
    waves = []
    for half in (0, 1):
        group_ids = []
        for account, servers in sorted(by_account.items()):
            part = servers[half::2]
            draft = GroupDraft(
                name=f"scale-{account}-{half}",
                account_id=account,
                region="us-east-1",
                selection=Selection(server_ids=part),
            )
            group_ids.append(create_group(store=store, draft=draft).group.id)
        waves.append(Wave(name=f"half{half}", protection_group_ids=group_ids))
    return create_plan(store=store, draft=PlanDraft(name="scale", waves=waves)).id


def _rows_written(store: SqliteStore) -> int:
    # SQLite counts rows inserted, updated or deleted per connection.
    with store.db.connection() as conn:
        return int(conn.total_changes)


def main(argv: list[str] | None = None) -> None:
    """Run the three parts (tiny with --quick), print each and write the JSON."""
    args = _arguments(argv)
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "latency": lambda: latency_figures(*((2, 3) if args.quick else (6, 11))),
        "makespan": lambda: makespan_figures(*((25, 6) if args.quick else (1, 20))),
        "scale": lambda: scale_figures(*((50, 2) if args.quick else (5000, 5))),
        "serve": lambda: serve_figures(*((10, 2, 300.0) if args.quick else (5000, 5, 30.0))),
    }
    results: dict[str, Any] = {"quick": args.quick}
    if args.previous is not None:
        results.update(json.loads(args.previous.read_text()))  # parts not run again
        results["quick"] = args.quick
    for name, run in runs.items():
        if args.parts and name not in args.parts:
            continue
        begin = time.perf_counter()
        results[name] = run()
        results[name]["bench_wall_seconds"] = round(time.perf_counter() - begin, 1)
        print(name, json.dumps(results[name], indent=2), flush=True)
    if {"scale", "serve", "makespan"} <= set(results):
        results["targets"] = targets(results)
        print_targets(results["targets"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 12's engine targets: each figure measured, its target and whether it is met."""
    scale, serve, makespan = results["scale"], results["serve"], results["makespan"]
    rows = [
        ("engine CPU per pass, <= 100 servers changed (ms)", scale["cpu_ms_per_small_pass"], 15),
        (
            "  the same without the DRS client's own CPU (ms)",
            scale["engine_only_cpu_ms_per_small_pass"],
            15,
        ),
        (
            "record bytes written per server launched",
            scale["record_json_bytes_per_server_launched"],
            4096,
        ),
        ("peak RSS of drorch serve --sandbox (MB)", serve["peak_rss_mb_sampled"], 250),
        ("worst makespan / lower bound", makespan["worst_efficiency"], 1.03),
    ]
    return [
        {"figure": name, "measured": value, "target": f"<= {limit}", "met": value <= limit}
        for name, value, limit in rows
    ]


def print_targets(rows: list[dict[str, Any]]) -> None:
    """The targets as a table."""
    for row in rows:
        verdict = "met" if row["met"] else "MISSED"
        print(f"{row['figure']:<52} {row['measured']:>10} {row['target']:>8}  {verdict}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    parser.add_argument("--parts", nargs="*", help="Run only these parts (default: all).")
    parser.add_argument("--previous", type=Path, help="Keep the other parts from this JSON.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
