"""API list-endpoint benchmark: figures for the lead, never part of the pass/fail test run.

Seeds a data dir with 4,000 servers, 1,000 groups and 200 plans through the SQLite store,
starts `drorch serve` on it with default settings (no DRS), and drives the list endpoints
(100-item pages) at concurrency 16 for a bounded time per case. Prints a table and writes
bench/results/api.json. Targets: p95 <= 25 ms, >= 500 req/s, idle RSS <= 150 MB.

    .venv/bin/python bench/api_bench.py [--seconds 8] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._support import HOST, serve  # noqa: E402

from drorch.adapters.identity.local import Argon2Passwords  # noqa: E402
from drorch.adapters.storage.sqlite import SqliteStore  # noqa: E402
from drorch.domain.groups import ProtectionGroup, Selection  # noqa: E402
from drorch.domain.identity import Role  # noqa: E402
from drorch.domain.inventory import SourceServer  # noqa: E402
from drorch.domain.plans import RecoveryPlan, Wave  # noqa: E402
from drorch.services import users  # noqa: E402
from drorch.services.audit import CLI_AUDIT  # noqa: E402

SERVERS, GROUPS, PLANS = 4000, 1000, 200
ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("us-east-1", "us-west-2")
SERVERS_PER_GROUP = 3
TARGETS = {"p95_ms": 25.0, "rps": 500.0, "rss_mb": 150.0}
RESULTS = Path(__file__).resolve().parent / "results" / "api.json"
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- seeding


def seed(data_dir: Path) -> dict[str, float]:
    """Fill a data dir with the benchmark's inventory, groups and plans."""
    started = time.perf_counter()
    servers = [_server(i) for i in range(SERVERS)]
    scopes: dict[tuple[str, str], list[SourceServer]] = {}
    for server in servers:
        scopes.setdefault((server.account_id, server.region), []).append(server)
    groups = [_group(g, scopes) for g in range(GROUPS)]
    plans = [_plan(p, groups) for p in range(PLANS)]
    store = SqliteStore(data_dir / "drorch.db")
    try:
        with store.transaction() as uow:
            uow.servers.upsert_many(servers)
            for group in groups:
                uow.groups.add(group)
                uow.groups.set_members(group.id, group.selection.server_ids or [])
            for plan in plans:
                uow.plans.add(plan)
        # Every list call is signed in, as a real client's would be.
        users.create_user(
            store=store,
            passwords=Argon2Passwords(),
            audit=CLI_AUDIT,
            username=BENCH_USER,
            password=BENCH_PASSWORD,
            role=Role.VIEWER,
        )
    finally:
        store.close()
    return {"seed_s": round(time.perf_counter() - started, 2)}


def sign_in(port: int) -> str:
    """An access token of the bench user."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    form = urlencode({"username": BENCH_USER, "password": BENCH_PASSWORD})
    conn.request(
        "POST", "/api/v1/auth/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    response = conn.getresponse()
    token: str = json.loads(response.read())["access_token"]
    conn.close()
    return token


def _server(i: int) -> SourceServer:
    # Seeded per server so attributes vary independently (no accidental correlations).
    rnd = random.Random(i)
    return SourceServer(
        id=f"s-{i:017x}",
        account_id=rnd.choice(ACCOUNTS),
        region=rnd.choice(REGIONS),
        hostname=f"{rnd.choice(('web', 'app', 'db', 'cache'))}-{i:05d}.corp.example",
        os=rnd.choice(("LINUX", "LINUX", "WINDOWS")),
        tags={
            "env": rnd.choice(("prod", "dev", "test")),
            "app": f"app{rnd.randrange(40)}",
            "tier": str(rnd.randrange(4)),
        },
        replication_state="STALLED" if rnd.random() < 0.1 else "CONTINUOUS",
        lag_seconds=float(rnd.randrange(30)),
        synced_at=NOW,
    )


def _group(g: int, scopes: dict[tuple[str, str], list[SourceServer]]) -> ProtectionGroup:
    # Groups take consecutive servers of one scope, round-robin over the scopes.
    keys = sorted(scopes)
    account_id, region = keys[g % len(keys)]
    start = (g // len(keys)) * SERVERS_PER_GROUP
    ids = [s.id for s in scopes[(account_id, region)][start : start + SERVERS_PER_GROUP]]
    return ProtectionGroup(
        id=f"pg-{g:012x}",
        name=f"group-{g:04d}",
        description=f"benchmark group {g}",
        account_id=account_id,
        region=region,
        selection=Selection(server_ids=ids),
        created_at=NOW,
        updated_at=NOW,
    )


def _plan(p: int, groups: list[ProtectionGroup]) -> RecoveryPlan:
    per_plan = GROUPS // PLANS
    mine = groups[p * per_plan : (p + 1) * per_plan]
    waves = [Wave(name=f"wave-{w + 1}", protection_group_ids=[g.id]) for w, g in enumerate(mine)]
    return RecoveryPlan(
        id=f"rp-{p:012x}",
        name=f"plan-{p:03d}",
        rto_minutes=60,
        waves=waves,
        created_at=NOW,
        updated_at=NOW,
    )


def _get(conn: http.client.HTTPConnection, path: str, token: str = "") -> tuple[int, bytes]:
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    response = conn.getresponse()
    return response.status, response.read()


# ---------------------------------------------------------------- load


@dataclass
class Case:
    """One benchmark case: a name and how each worker picks its next path."""

    name: str
    first_path: str
    follow_cursor: bool = False


@dataclass
class Tally:
    """Latencies and failures collected by the workers of one case."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


CASES = [
    Case("servers page", "/api/v1/source-servers?limit=100"),
    Case(
        "servers filtered",
        "/api/v1/source-servers?"
        + urlencode(
            [("account_id", ACCOUNTS[0]), ("tag", "env=prod"), ("search", "web"), ("limit", 100)]
        ),
    ),
    Case("servers cursor walk", "/api/v1/source-servers?limit=100&sort=-hostname", True),
    Case("groups page", "/api/v1/protection-groups?limit=100"),
    Case("groups cursor walk", "/api/v1/protection-groups?limit=100", True),
    Case("plans page", "/api/v1/recovery-plans?limit=100"),
]


def run_case(
    port: int,
    server: psutil.Process,
    case: Case,
    *,
    seconds: float,
    concurrency: int,
    token: str = "",
) -> dict[str, Any]:
    """Drive one case with `concurrency` keep-alive connections for `seconds`."""
    tally = Tally()
    cpu_before = _cpu_seconds(server)
    stop_at = time.perf_counter() + seconds
    workers = [
        threading.Thread(target=_worker, args=(port, case, stop_at, tally, token))
        for _ in range(concurrency)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    summary = _summary(case.name, tally, elapsed)
    # Server CPU per request is what the code costs, whatever else shares the machine.
    cpu_ms = (_cpu_seconds(server) - cpu_before) * 1000 / max(1, summary["requests"])
    load = round(os.getloadavg()[0], 2)
    return {**summary, "server_cpu_ms_per_req": round(cpu_ms, 2), "load_1m": load}


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def _worker(port: int, case: Case, stop_at: float, tally: Tally, token: str) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    path = case.first_path
    mine: list[float] = []
    errors = 0
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        status, body = _get(conn, path, token)
        mine.append(time.perf_counter() - started)
        if status != 200:
            errors += 1
        path = _next_path(case, path, body) if status == 200 else case.first_path
    conn.close()
    with tally.lock:
        tally.latencies += mine
        tally.errors += errors


def _next_path(case: Case, path: str, body: bytes) -> str:
    if not case.follow_cursor:
        return path
    cursor = next_cursor(body)
    if not cursor:
        return case.first_path  # walked every page; start again
    return f"{case.first_path}&{urlencode({'cursor': cursor})}"


def next_cursor(body: bytes) -> str | None:
    """The page's next_cursor, read from the end of the body (the envelope's last key).

    Parsing a whole 50 KB page per request made the client, on the same two cores, cost
    more CPU than the server it measures; a body of another shape is parsed whole.
    """
    at = body.rfind(b'"next_cursor":')
    tail = body[at + len(b'"next_cursor":') : -1] if at >= 0 and body.endswith(b"}") else b""
    try:
        value = json.loads(tail) if tail else json.loads(body).get("next_cursor")
    except ValueError:
        value = json.loads(body).get("next_cursor")
    return value if isinstance(value, str) else None


def _summary(name: str, tally: Tally, elapsed: float) -> dict[str, Any]:
    ms = sorted(x * 1000 for x in tally.latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "case": name,
        "requests": len(ms),
        "errors": tally.errors,
        "rps": round(len(ms) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(ms[-1], 2),
    }


# ---------------------------------------------------------------- report


def rss_mb(process: psutil.Process) -> float:
    """Resident memory of the server process, in MB."""
    rss: int = process.memory_info().rss
    return round(rss / (1024 * 1024), 1)


def print_table(rows: list[dict[str, Any]], memory: dict[str, float]) -> None:
    """The figures as a plain text table with the targets."""
    header = (
        f"{'case':<22}{'req':>7}{'err':>5}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'cpu ms/req':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['case']:<22}{r['requests']:>7}{r['errors']:>5}{r['rps']:>9}"
            f"{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['server_cpu_ms_per_req']:>12}"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(
        f"idle RSS: {memory['rss_idle_start_mb']} MB after start, "
        f"{memory['rss_idle_after_load_mb']} MB after load"
    )
    print(
        f"targets: p95 <= {TARGETS['p95_ms']} ms, >= {TARGETS['rps']:.0f} req/s, "
        f"RSS <= {TARGETS['rss_mb']:.0f} MB"
    )


def verdicts(rows: list[dict[str, Any]], memory: dict[str, float]) -> dict[str, bool]:
    """Whether every concurrency-16 case met each target."""
    rows = [r for r in rows if not r["case"].endswith("(1 conn)")]
    return {
        "p95": all(r["p95_ms"] <= TARGETS["p95_ms"] for r in rows),
        "rps": all(r["rps"] >= TARGETS["rps"] for r in rows),
        "rss": max(memory.values()) <= TARGETS["rss_mb"],
        "no_errors": all(r["errors"] == 0 for r in rows),
    }


def main(argv: list[str] | None = None) -> int:
    """Seed, serve, measure, report."""
    args = _arguments(argv)
    if args.quick:
        _shrink()
    with tempfile.TemporaryDirectory(prefix="drorch-bench-") as tmp:
        data_dir = Path(tmp)
        timings = seed(data_dir)
        with serve(data_dir) as served:
            port, process = served.port, served.ps
            time.sleep(1.0)
            memory = {"rss_idle_start_mb": rss_mb(process)}
            token = sign_in(port)
            warm = {"seconds": 1.0, "concurrency": args.concurrency, "token": token}
            run_case(port, process, CASES[0], **warm)
            load = {"seconds": args.seconds, "concurrency": args.concurrency, "token": token}
            rows = [run_case(port, process, c, **load) for c in CASES]
            # One connection shows the service time without queueing behind 15 others.
            single = run_case(
                port, process, CASES[0], seconds=args.seconds, concurrency=1, token=token
            )
            rows.append({**single, "case": "servers page (1 conn)"})
            time.sleep(2.0)
            memory["rss_idle_after_load_mb"] = rss_mb(process)
    print_table(rows, memory)
    met = verdicts(rows, memory)
    print("met: " + ", ".join(f"{name} {'yes' if ok else 'NO'}" for name, ok in met.items()))
    _write(rows, memory, timings, args)
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0, help="Duration of each case.")
    parser.add_argument("--concurrency", type=int, default=16, help="Parallel connections.")
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.concurrency = 0.3, 2
    return args


def _shrink() -> None:
    # The dataset sizes are module constants that the seeding helpers read.
    global SERVERS, GROUPS, PLANS
    SERVERS, GROUPS, PLANS = 40, 10, 2


def _write(
    rows: list[dict[str, Any]],
    memory: dict[str, float],
    timings: dict[str, float],
    args: argparse.Namespace,
) -> None:
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "quick": args.quick,
        "dataset": {"servers": SERVERS, "groups": GROUPS, "plans": PLANS, **timings},
        "load": {"concurrency": args.concurrency, "seconds_per_case": args.seconds},
        "targets": TARGETS,
        "cases": rows,
        "memory": memory,
        "met": verdicts(rows, memory),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    raise SystemExit(main())
