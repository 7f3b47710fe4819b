"""Engine benchmark: wave-transition latency, makespan efficiency, 5,000-server scale.

Figures only (no pass/fail); prints a summary and writes bench/results/engine.json.

a. Wave-transition latency: from the last server of wave k reaching LAUNCHED in the
   sandbox to the StartRecovery of wave k+1, over 60 transitions, with adaptive polling
   and with a fixed 30-second poll. Measured on the sandbox's virtual clock, which the
   engine reads too: the figure is what the polling design costs. The engine's own
   processing time per advance (wall clock) is reported beside it.
b. Makespan efficiency: 1,000 servers in 10 waves (parallel branches, waves over 100
   servers) against a lower bound computed from the sandbox's realised per-server launch
   durations: max(critical path of waves, server-seconds / 500 servers in active jobs).
c. Scale: one 5,000-server execution across 5 accounts (5 account/Region pairs); the
   sandbox runs in its own process, so the peak RSS is that of engine + SQLite store;
   store rows written per server launched.
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
    World,
    bench_container,
    free_port,
    ids,
    many_servers,
    server_env,
    world,
)

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


class LaunchLog:
    """Records when the sandbox schedules each server's LAUNCHED step, per job."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.launched: dict[str, float] = {}
        self.created: dict[str, float] = {}
        self.seen: set[str] = set()

    def capture(self) -> None:
        with self.w.sandbox.lock:
            for scope in self.w.sandbox.scopes.values():
                for job in scope.jobs.values():
                    if job.id in self.seen:
                        continue
                    self.seen.add(job.id)
                    self.created[job.id] = job.created
                    for step in job.pending:
                        if step.kind == "LAUNCHED" and step.server_id:
                            self.launched[step.server_id] = step.at


def drive(w: World, log: LaunchLog, timings: list[float]) -> None:
    """Tick and jump to the end, capturing launch steps and advance wall times."""
    while True:
        begin = time.perf_counter()
        w.tick()
        timings.append(time.perf_counter() - begin)
        log.capture()
        if not w.jump():
            return


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


MAKESPAN_WAVES = {  # name: (servers, depends_on)
    "w1": (150, []),
    "w2": (50, []),
    "w3": (250, ["w1"]),
    "w4": (100, ["w1"]),
    "w5": (120, ["w3", "w4"]),
    "w6": (80, ["w2"]),
    "w7": (100, ["w5"]),
    "w8": (50, ["w6"]),
    "w9": (60, ["w7", "w8"]),
    "w10": (40, ["w9"]),
}


def makespan_figures(divisor: int = 1) -> dict[str, Any]:
    """Achieved makespan of the 10-wave plan (server counts divided by `divisor`) and its bound."""
    sizes = {name: max(1, count // divisor) for name, (count, _) in MAKESPAN_WAVES.items()}
    total = sum(sizes.values())
    with world(many_servers(total)) as w:
        waves, start = [], 1000
        for name, count in sizes.items():
            waves.append((name, ids(start, count)))
            start += count
        depends = {n: d for n, (_, d) in MAKESPAN_WAVES.items()}
        ex = w.start(w.plan("makespan", waves, depends=depends))
        log = LaunchLog(w)
        drive(w, log, [])
        done = w.get(ex.id)
        assert done.status == "COMPLETED", done.status
        duration = {}
        for batch in done.batches:
            for s in batch.source_server_ids:
                duration[s] = log.launched[s] - log.created[batch.job_id or ""]
        first = min(log.created[b.job_id or ""] for b in done.batches)
        achieved = max(log.launched.values()) - first
    finish: dict[str, float] = {}
    for name in MAKESPAN_WAVES:  # listed in dependency order
        longest = max(duration[s] for s in dict(waves)[name])
        finish[name] = max((finish[d] for d in depends[name]), default=0.0) + longest
    critical = max(finish.values())
    capacity = sum(duration.values()) / 500
    bound = max(critical, capacity)
    return {
        "servers": total,
        "waves": len(MAKESPAN_WAVES),
        "achieved_makespan_s": round(achieved, 1),
        "lower_bound_s": round(bound, 1),
        "critical_path_bound_s": round(critical, 1),
        "capacity_bound_s": round(capacity, 1),
        "efficiency_achieved_over_bound": round(achieved / bound, 3),
    }


class RemoteSandboxTime:
    """The engine's clock for a sandbox in another process (virtual time over its admin API)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(timeout=30)

    def now(self) -> datetime:
        info = self.http.get(f"{self.url}/_sandbox/clock").json()
        return datetime.fromtimestamp(float(info["epoch"]), UTC)

    def sleep(self, seconds: float) -> None:
        self.http.post(f"{self.url}/_sandbox/clock/advance", json={"seconds": seconds})


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
    gateway = BotoDrsGateway.for_sandbox_endpoint(url)
    sync_inventory(store=store, drs=gateway)
    plan_id = _scale_plan(store, fleet)
    container = bench_container(store, gateway, clock)
    assert container.engine is not None
    runner = Runner(container.engine)
    before = _rows_written(store)
    begin = time.perf_counter()
    request = svc.StartRequest(plan_id_or_name=plan_id, type="DRILL")
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
    rows = _rows_written(store) - before
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
        "store_rows_written": rows,
        "store_rows_written_per_server_launched": round(rows / max(launched, 1), 3),
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
        "makespan": lambda: makespan_figures(20 if args.quick else 1),
        "scale": lambda: scale_figures(*((50, 2) if args.quick else (5000, 5))),
    }
    results: dict[str, Any] = {"quick": args.quick}
    for name, run in runs.items():
        begin = time.perf_counter()
        results[name] = run()
        results[name]["bench_wall_seconds"] = round(time.perf_counter() - begin, 1)
        print(name, json.dumps(results[name], indent=2), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
