"""Live-stream benchmark: /health latency with many SSE streams open, against idle.

Starts `drorch serve --sandbox` (virtual sandbox clock, so a started drill stays open and
its streams stay quiet) and one drill, then measures GET /health latency idle and with
`--streams` event streams open on the drill, in alternating rounds so that drift in the
machine's load hits both. Prints a table and writes bench/results/stream.json. Never part
of the pass/fail test run.

    .venv/bin/python bench/stream_bench.py [--streams 200] [--samples 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from drorch.domain.identity import Role  # noqa: E402
from drorch.services import users  # noqa: E402
from drorch.services.audit import CLI_AUDIT  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "stream.json"
# "Close to idle": the p95 with the streams open at most this many times the idle p95.
TARGET_RATIO = 2.0
JSON_HEADERS = {"Content-Type": "application/json"}
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password-not-secret"


def add_user(data_dir: Path) -> None:
    """The bench user, an admin: it syncs, builds a group and a plan, starts a drill."""
    store = SqliteStore(data_dir / "drorch.db")
    try:
        users.create_user(
            store=store,
            passwords=Argon2Passwords(),
            audit=CLI_AUDIT,
            username=BENCH_USER,
            password=BENCH_PASSWORD,
            role=Role.ADMIN,
        )
    finally:
        store.close()


def sign_in(port: int) -> str:
    """An access token of the bench user."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    form = urlencode({"username": BENCH_USER, "password": BENCH_PASSWORD})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        conn.request("POST", "/api/v1/auth/token", form, headers)
        response = conn.getresponse()
        body = json.loads(response.read())
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"sign-in refused: {response.status} {body}")
    return str(body["access_token"])


@contextmanager
def server(data_dir: Path, streams: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A `drorch serve --sandbox` whose stream caps leave room for the benchmark."""
    add_user(data_dir)
    env = {
        "DRORCH_SANDBOX_CLOCK": "virtual",
        "DRORCH_STREAM_MAX_TOTAL": str(streams + 10),
        "DRORCH_STREAM_MAX_PER_CLIENT": str(streams + 10),
    }
    with serve(data_dir, "--sandbox", env=env) as served:
        yield served.port, served.process


def call(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    """One request on a fresh connection (signed in when given a token); (status, JSON body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = dict(JSON_HEADERS) if method != "GET" else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        payload = None if body is None else json.dumps(body)
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        conn.close()


def start_drill(port: int, token: str) -> str:
    """Sync the demo fleet, make one group and plan, start a drill; its id."""
    status, synced = call(port, "POST", "/api/v1/source-servers/sync", token=token)
    assert status == 200, synced
    group = {
        "name": "bench-db",
        "account_id": "444455556666",
        "region": "us-west-2",
        "selection": {"tags": {"Application": "payroll", "Tier": "db"}},
    }
    status, created = call(port, "POST", "/api/v1/protection-groups", group, token)
    assert status == 201, created
    waves = [{"name": "db", "protection_group_ids": [created["id"]]}]
    plan_body = {"name": "bench", "waves": waves}
    status, plan = call(port, "POST", "/api/v1/recovery-plans", plan_body, token)
    assert status == 201, plan
    status, execution = call(
        port, "POST", "/api/v1/executions", {"plan_id": plan["id"], "type": "DRILL"}, token
    )
    assert status == 201, execution
    return str(execution["id"])


def health_latencies(port: int, samples: int) -> list[float]:
    """Milliseconds of `samples` sequential GET /health on one kept-alive connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    found = []
    try:
        for _ in range(samples):
            started = time.perf_counter()
            conn.request("GET", "/health")
            response = conn.getresponse()
            response.read()
            found.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
    finally:
        conn.close()
    return found


async def open_streams(port: int, path: str, count: int, token: str) -> list[asyncio.StreamWriter]:
    """Open `count` signed-in SSE streams; each is read in the background until closed."""
    writers = []
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
    request += f"Authorization: Bearer {token}\r\n\r\n"
    for _ in range(count):
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(request.encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"stream refused: {status!r}")
        asyncio.get_running_loop().create_task(_drain(reader))
        writers.append(writer)
    return writers


async def _drain(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def measure_with_streams(
    port: int, path: str, streams: int, samples: int, server_pid: int, token: str
) -> dict[str, Any]:
    """Open the streams, let them settle, then time /health (in a thread) while they stay open."""
    started = time.perf_counter()
    writers = await open_streams(port, path, streams, token)
    opened_s = time.perf_counter() - started
    await asyncio.sleep(3.0)  # past the first snapshots: the streams are quiet now
    process = psutil.Process(server_pid)
    cpu = await asyncio.to_thread(process.cpu_percent, 2.0)
    loaded = await asyncio.to_thread(health_latencies, port, samples)
    rss_mb = process.memory_info().rss / 2**20
    for writer in writers:
        writer.close()
    return {"open_seconds": round(opened_s, 2), "latencies": loaded, "cpu": cpu, "rss": rss_mb}


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


def run(streams: int, samples: int, rounds: int) -> dict[str, Any]:
    """Idle and with-streams phases in alternating rounds, so machine-load drift hits both."""
    idle: list[float] = []
    loaded: list[float] = []
    opened, cpu, rss = [], [], []
    per_round = max(samples // rounds, 1)
    with tempfile.TemporaryDirectory() as folder, server(Path(folder), streams) as (port, proc):
        token = sign_in(port)
        execution_id = start_drill(port, token)
        path = f"/api/v1/executions/{execution_id}/stream"
        call(port, "GET", "/health")  # warm
        idle_cpu = psutil.Process(proc.pid).cpu_percent(interval=2.0)
        for _ in range(rounds):
            time.sleep(2.0)  # the last round's streams are gone
            idle += health_latencies(port, per_round)
            phase = asyncio.run(
                measure_with_streams(port, path, streams, per_round, proc.pid, token)
            )
            loaded += phase["latencies"]
            opened.append(phase["open_seconds"])
            cpu.append(phase["cpu"])
            rss.append(phase["rss"])
    idle_summary, with_streams = summary(idle), summary(loaded)
    return {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "streams": streams,
        "samples": per_round * rounds,
        "rounds": rounds,
        "open_seconds": round(max(opened), 2),
        "idle": idle_summary,
        "with_streams": with_streams,
        "p50_ratio": round(with_streams["p50_ms"] / max(idle_summary["p50_ms"], 0.01), 2),
        "p95_ratio": round(with_streams["p95_ms"] / max(idle_summary["p95_ms"], 0.01), 2),
        "server_cpu_percent_idle": idle_cpu,
        "server_cpu_percent_streams_open": round(statistics.mean(cpu), 1),
        "server_rss_mb_streams_open": round(max(rss), 1),
        "target_p95_ratio": TARGET_RATIO,
    }


def report(result: dict[str, Any]) -> None:
    print(f"{result['streams']} streams opened in {result['open_seconds']} s")
    print(f"{'':14}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in ("idle", "with_streams"):
        row = result[name]
        cells = "".join(f"{row[k]:>9}" for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms"))
        print(f"{name:14}{cells}")
    met = "met" if result["p95_ratio"] <= TARGET_RATIO else "NOT met"
    print(f"p50 ratio {result['p50_ratio']}, p95 ratio {result['p95_ratio']}", end=" ")
    print(f"(target p95 <= {TARGET_RATIO}x idle: {met})")
    print(f"machine load average (1 min): {result['machine']['load_average_1m']}")
    print(
        f"server CPU idle {result['server_cpu_percent_idle']} %, "
        f"with streams open {result['server_cpu_percent_streams_open']} %"
    )
    print(f"server RSS with streams open: {result['server_rss_mb_streams_open']} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200, help="streams to open (1000 = issue)")
    parser.add_argument("--samples", type=int, default=300, help="/health requests per phase")
    parser.add_argument("--rounds", type=int, default=3, help="idle/with-streams alternations")
    parser.add_argument("--quick", action="store_true", help="Tiny sizes: checks the path only.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    args = parser.parse_args()
    if args.quick:
        args.streams, args.samples, args.rounds = 3, 10, 1
    result = run(args.streams, args.samples, args.rounds)
    result["quick"] = args.quick
    report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
