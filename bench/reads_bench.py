"""Execution reads benchmark: header, server pages, an idle stream, the list under load.

Figures for the lead, never part of the pass/fail test run. Two servers, one after the other:

a. `drorch serve` (no DRS, so no engine) on a data dir seeded with one PAUSED drill of
   5,000 servers in 5 waves (2,000 launched): GET of its header and of 100-server pages
   (a cursor walk, and a filtered page) at 16 connections, its timeline, and the CPU one
   open event stream costs while nothing changes.
b. `drorch serve --sandbox` (scaled sandbox clock) with 20 drills of 250 servers running in
   20 accounts: GET of the executions list at 16 connections while they run.

Prints a table with each target and whether it is met; writes bench/results/reads.json.

    .venv/bin/python bench/reads_bench.py [--seconds 8] [--concurrency 16] [--quick]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._support import HOST, serve  # noqa: E402
from bench.api_bench import Case, rss_mb, run_case  # noqa: E402

from drorch.adapters.identity.local import Argon2Passwords  # noqa: E402
from drorch.adapters.storage.sqlite import SqliteStore  # noqa: E402
from drorch.domain.executions import (  # noqa: E402
    Batch,
    Event,
    Execution,
    Pause,
    Snapshot,
    SnapshotServer,
)
from drorch.domain.identity import Role  # noqa: E402
from drorch.domain.plans import RecoveryPlan, Wave  # noqa: E402
from drorch.engine.start import build_execution  # noqa: E402
from drorch.sandbox import synthetic_fleet  # noqa: E402
from drorch.services import users  # noqa: E402
from drorch.services.audit import CLI_AUDIT  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "reads.json"
USER, PASSWORD = "bench", "bench-password-not-secret"
EXECUTION_ID = "ex-readsbench01"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNTS = [f"{100000000000 + i * 1111:012d}" for i in range(5)]
TARGETS = {
    "execution header": 15.0,
    "servers page (100)": 20.0,
    "executions list, 20 drills running": 25.0,
}
IDLE_STREAM_TARGET_CORES = 0.01
SIZES = {"servers": 5000, "waves": 5, "launched_waves": 2, "drills": 20, "drill_servers": 250}


# ---------------------------------------------------------------- seeding


def paused_drill(servers: int, waves: int, launched_waves: int) -> Execution:
    """A PAUSED drill: `servers` in `waves` waves, the first `launched_waves` launched."""
    per_wave = servers // waves
    plan_waves = [
        Wave(name=f"wave-{w + 1}", protection_group_ids=[f"pg-{w:012x}"]) for w in range(waves)
    ]
    plan = RecoveryPlan(
        id="rp-readsbench1", name="reads-bench", waves=plan_waves, created_at=T0, updated_at=T0
    )
    snapshot = Snapshot(
        plan=plan,
        groups=[],
        servers=[_snapshot_server(i, per_wave) for i in range(per_wave * waves)],
        selected_waves=[w.name for w in plan_waves],
    )
    ex = build_execution(execution_id=EXECUTION_ID, type="DRILL", snap=snapshot, actor=USER, now=T0)
    for wave in ex.waves[:launched_waves]:
        _launch(ex, wave.name)
    ex.status, ex.started_at = "PAUSED", T0
    ex.paused_reason = "paused by bench"
    ex.pauses = [Pause(started_at=T0 + timedelta(hours=1), rule="pause")]
    return ex


def _snapshot_server(i: int, per_wave: int) -> SnapshotServer:
    return SnapshotServer(
        source_server_id=f"s-{i:017x}",
        account_id=ACCOUNTS[i % len(ACCOUNTS)],
        region="us-east-1",
        group_id=f"pg-{i // per_wave:012x}",
        wave=f"wave-{i // per_wave + 1}",
        hostname=f"{('web', 'app', 'db')[i % 3]}-{i:05d}.corp.example",
    )


def _launch(ex: Execution, wave_name: str) -> None:
    """Record the wave's servers launched in DRS jobs of 100, as the engine would have."""
    wave = ex.wave(wave_name)
    wave.status, wave.started_at = "COMPLETED", T0
    for start in range(0, len(wave.servers), 100):
        chunk = wave.servers[start : start + 100]
        batch_id = f"b-{wave_name}-{start // 100:03d}"
        for n, server in enumerate(chunk):
            server.status = server.launch_status = "LAUNCHED"
            server.batch_id, server.job_id = batch_id, f"drsjob-{start:04d}{wave_name}"
            server.recovery_instance_id = f"ri-{start + n:013x}"
            server.ec2_instance_id = f"i-{start + n:017x}"
            server.started_at = T0 + timedelta(seconds=start)
            server.ended_at = server.started_at + timedelta(seconds=400 + n)
        ex.batches.append(
            Batch(
                batch_id=batch_id,
                kind="LAUNCH",
                wave=wave_name,
                account_id=chunk[0].account_id,
                region="us-east-1",
                source_server_ids=[s.source_server_id for s in chunk],
                state="DONE",
                job_id=chunk[0].job_id,
                job_status="COMPLETED",
                created_at=T0,
                started_at=chunk[0].started_at,
                ended_at=chunk[-1].ended_at,
            )
        )
    wave.ended_at = max(s.ended_at for s in wave.servers if s.ended_at)


def seed(data_dir: Path, ex: Execution | None) -> None:
    """The bench user (an admin) and, when given, the execution and some of its timeline."""
    store = SqliteStore(data_dir / "drorch.db")
    try:
        users.create_user(
            store=store,
            passwords=Argon2Passwords(),
            audit=CLI_AUDIT,
            username=USER,
            password=PASSWORD,
            role=Role.ADMIN,
        )
        if ex is None:
            return
        events = [
            Event(at=T0, actor="drorch", kind="server.launched", message=f"{s.source_server_id}")
            for s in ex.servers()
            if s.status == "LAUNCHED"
        ]
        with store.transaction() as uow:
            uow.executions.add(ex)  # no due time: no engine would pick it up anyway
            uow.executions.append_events(ex.id, events)
    finally:
        store.close()


# ---------------------------------------------------------------- servers


def call(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    """One request on a fresh connection; (status, JSON body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    headers = {"Content-Type": "application/json"} if method != "GET" else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def sign_in(port: int) -> str:
    """An access token of the bench user."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    form = f"username={USER}&password={PASSWORD}"
    conn.request(
        "POST", "/api/v1/auth/token", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    token: str = json.loads(conn.getresponse().read())["access_token"]
    conn.close()
    return token


# ---------------------------------------------------------------- part a


def measure_reads(args: argparse.Namespace) -> dict[str, Any]:
    """Header, pages and timeline at `concurrency`, then the CPU of one idle stream."""
    ex = paused_drill(SIZES["servers"], SIZES["waves"], SIZES["launched_waves"])
    base = f"/api/v1/executions/{ex.id}"
    cases = [
        Case("execution header", base),
        Case("servers page (100)", f"{base}/servers?limit=100", follow_cursor=True),
        Case("servers filtered (100)", f"{base}/servers?limit=100&status=LAUNCHED&search=web"),
        Case("timeline", f"{base}/timeline"),
    ]
    seed_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="drorch-reads-") as tmp:
        seed(Path(tmp), ex)
        seeded = round(time.perf_counter() - seed_started, 1)
        with serve(Path(tmp)) as served:
            return {**_reads_figures(served.port, served.ps, base, cases, args), "seed_s": seeded}


def _reads_figures(
    port: int, proc: psutil.Process, base: str, cases: list[Case], args: argparse.Namespace
) -> dict[str, Any]:
    token = sign_in(port)
    load = {"seconds": args.seconds, "concurrency": args.concurrency, "token": token}
    first = time.perf_counter()
    status, _ = call(port, "GET", base, token=token)  # parses the execution once
    first_ms = round((time.perf_counter() - first) * 1000, 1)
    assert status == 200, status
    run_case(port, proc, cases[0], seconds=1.0, concurrency=args.concurrency, token=token)
    rows = [run_case(port, proc, c, **load) for c in cases]
    idle = idle_stream_cpu(port, proc, f"{base}/stream", token, args.idle_seconds)
    return {"cases": rows, "first_header_ms": first_ms, "idle_stream": idle, "rss_mb": rss_mb(proc)}


def idle_stream_cpu(
    port: int, proc: psutil.Process, path: str, token: str, seconds: float
) -> dict[str, Any]:
    """Server CPU over `seconds` with nothing open, then with one stream on the paused drill."""
    quiet = _cpu_cores(proc, seconds)
    stop = threading.Event()
    received = {"bytes": 0}
    sock = socket.create_connection((HOST, port))
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    reader = threading.Thread(target=_drain, args=(sock, stop, received), daemon=True)
    reader.start()
    time.sleep(1.0)  # past the first header message
    opened_bytes = received["bytes"]
    streaming = _cpu_cores(proc, seconds)
    stop.set()
    sock.close()
    return {
        "seconds": seconds,
        "cores_without_stream": round(quiet, 4),
        "cores_with_stream": round(streaming, 4),
        "stream_cores": round(max(0.0, streaming - quiet), 4),
        "bytes_sent_while_idle": received["bytes"] - opened_bytes,
    }


def _cpu_cores(proc: psutil.Process, seconds: float) -> float:
    before = proc.cpu_times()
    time.sleep(seconds)
    after = proc.cpu_times()
    used = (after.user + after.system) - (before.user + before.system)
    return float(used) / seconds


def _drain(sock: socket.socket, stop: threading.Event, received: dict[str, int]) -> None:
    sock.settimeout(0.5)
    while not stop.is_set():
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except OSError:
            return
        if not chunk:
            return
        received["bytes"] += len(chunk)


# ---------------------------------------------------------------- part b


def measure_list_under_load(args: argparse.Namespace) -> dict[str, Any]:
    """The executions list at `concurrency` while 20 drills run in 20 accounts."""
    drills, per_drill = SIZES["drills"], SIZES["drill_servers"]
    fleet = synthetic_fleet(drills * per_drill, accounts=drills)
    with tempfile.TemporaryDirectory(prefix="drorch-reads-") as tmp:
        data_dir = Path(tmp)
        (data_dir / "fleet.json").write_text(json.dumps(fleet))
        seed(data_dir, None)
        env = {"DRORCH_SANDBOX_TIME_SCALE": str(args.time_scale)}
        with serve(
            data_dir, "--sandbox", "--fleet", str(data_dir / "fleet.json"), env=env
        ) as served:
            port, proc = served.port, served.ps
            token = sign_in(port)
            plans = _plans(port, token, [a["id"] for a in fleet["accounts"]])
            case = Case("executions list", "/api/v1/executions?limit=50")
            quiet = run_case(
                port, proc, case, seconds=args.seconds, concurrency=args.concurrency, token=token
            )
            for plan_id in plans:
                status, body = call(
                    port, "POST", "/api/v1/executions", {"plan_id": plan_id, "type": "DRILL"}, token
                )
                assert status == 201, body
            running_before = _running(port, token)
            # What the drills cost on their own, so the list's own CPU per request shows.
            engine_cores = _cpu_cores(proc, max(1.0, args.seconds / 2))
            loaded = run_case(
                port, proc, case, seconds=args.seconds, concurrency=args.concurrency, token=token
            )
            loaded["list_cpu_ms_per_req"] = _own_cpu(loaded, engine_cores, args.seconds)
            running_after = _running(port, token)
            memory = rss_mb(proc)
    return {
        "idle": {**quiet, "case": "executions list, idle"},
        "loaded": {**loaded, "case": "executions list, 20 drills running"},
        "drills": drills,
        "servers_per_drill": per_drill,
        "engine_cores_without_list": round(engine_cores, 3),
        "active_before": running_before,
        "active_after": running_after,
        "time_scale": args.time_scale,
        "rss_mb": memory,
    }


def _own_cpu(case: dict[str, Any], engine_cores: float, seconds: float) -> float:
    """Server CPU per request less what the engine used in the same time on its own."""
    total_ms = case["server_cpu_ms_per_req"] * case["requests"]
    own_ms = max(0.0, total_ms - engine_cores * seconds * 1000)
    return round(own_ms / max(1, case["requests"]), 2)


def _plans(port: int, token: str, accounts: list[str]) -> list[str]:
    """Sync, then one group (every server of one account) and one plan per account."""
    status, body = call(port, "POST", "/api/v1/source-servers/sync", token=token)
    assert status == 200, body
    plans = []
    for n, account in enumerate(accounts):
        status, page = call(
            port, "GET", f"/api/v1/source-servers?account_id={account}&limit=500", token=token
        )
        assert status == 200, page
        group = {
            "name": f"reads-{n:02d}",
            "account_id": account,
            "region": "us-east-1",
            "selection": {"server_ids": [s["id"] for s in page["items"]]},
        }
        status, made = call(port, "POST", "/api/v1/protection-groups", group, token)
        assert status == 201, made
        plan = {
            "name": f"reads-{n:02d}",
            "waves": [{"name": "all", "protection_group_ids": [made["id"]]}],
        }
        status, made = call(port, "POST", "/api/v1/recovery-plans", plan, token)
        assert status == 201, made
        plans.append(str(made["id"]))
    return plans


def _running(port: int, token: str) -> int:
    status, page = call(port, "GET", "/api/v1/executions?limit=500", token=token)
    assert status == 200, page
    return sum(e["status"] in ("PENDING", "RUNNING") for e in page["items"])


# ---------------------------------------------------------------- report


def verdicts(reads: dict[str, Any], listing: dict[str, Any]) -> dict[str, bool]:
    """Whether each target is met."""
    p95 = {r["case"]: r["p95_ms"] for r in [*reads["cases"], listing["loaded"]]}
    met = {name: p95[name] <= target for name, target in TARGETS.items()}
    met["idle stream"] = reads["idle_stream"]["stream_cores"] <= IDLE_STREAM_TARGET_CORES
    return met


def print_table(reads: dict[str, Any], listing: dict[str, Any], met: dict[str, bool]) -> None:
    """The figures and targets as plain text."""
    header = f"{'case':<38}{'req':>7}{'err':>5}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
    header += f"{'target':>9}{'met':>5}{'cpu ms/req':>12}{'load':>7}"
    print(header)
    print("-" * len(header))
    for r in [*reads["cases"], listing["idle"], listing["loaded"]]:
        target = TARGETS.get(r["case"])
        shown = f"{target:>9}" if target else f"{'':>9}"
        verdict = ("yes" if met[r["case"]] else "NO") if target else ""
        # The loaded list's own CPU: the server's, less the drills' alone in as much time.
        cpu = r.get("list_cpu_ms_per_req", r["server_cpu_ms_per_req"])
        print(
            f"{r['case']:<38}{r['requests']:>7}{r['errors']:>5}{r['rps']:>9}"
            f"{r['p50_ms']:>9}{r['p95_ms']:>9}{shown}{verdict:>5}{cpu:>12}{r['load_1m']:>7}"
        )
    idle = reads["idle_stream"]
    print(
        f"one idle stream on the paused drill: {idle['stream_cores']} core "
        f"(server {idle['cores_with_stream']} with it, {idle['cores_without_stream']} without; "
        f"{idle['bytes_sent_while_idle']} bytes sent) target <= {IDLE_STREAM_TARGET_CORES}: "
        f"{'yes' if met['idle stream'] else 'NO'}"
    )
    print(f"first header read (parses the execution): {reads['first_header_ms']} ms")
    print(
        f"the drills alone kept {listing['engine_cores_without_list']} core busy; cpu ms/req "
        "of the loaded list is the server's less that; load = 1-minute load average after a case"
    )
    print(
        f"drills active: {listing['active_before']} before, {listing['active_after']} after the "
        f"list was measured; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure both parts, report, write the JSON."""
    args = _arguments(argv)
    if args.quick:
        SIZES.update(servers=40, waves=2, launched_waves=1, drills=2, drill_servers=3)
    reads = measure_reads(args)
    listing = measure_list_under_load(args)
    met = verdicts(reads, listing)
    print_table(reads, listing, met)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "quick": args.quick,
        "sizes": SIZES,
        "load": {"concurrency": args.concurrency, "seconds_per_case": args.seconds},
        "targets": {**TARGETS, "idle stream cores": IDLE_STREAM_TARGET_CORES},
        "reads": reads,
        "list_while_drills": listing,
        "met": met,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=8.0, help="Duration of each case.")
    parser.add_argument("--concurrency", type=int, default=16, help="Parallel connections.")
    parser.add_argument("--idle-seconds", type=float, default=10.0, help="CPU sampling time.")
    parser.add_argument("--time-scale", type=float, default=20.0, help="Sandbox time scale (b).")
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.concurrency, args.idle_seconds = 0.3, 2, 0.3
    return args


if __name__ == "__main__":
    raise SystemExit(main())
