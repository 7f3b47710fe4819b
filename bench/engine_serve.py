"""Peak memory of `drorch serve --sandbox` (engine + API + sandbox in one process) in a drill.

Starts serve on a synthetic fleet with the sandbox on scaled time, makes one group per
account and half, a two-wave plan and a drill through the API, polls the executions list
(not the execution itself: the point is what the engine and the store hold, not one
client's reads) until the drill ends, sampling the process's resident memory. Used by
engine_bench.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from bench._support import HOST, free_port, wait_healthy
from bench.stream_bench import add_user, call, sign_in

from drorch.sandbox import synthetic_fleet

TARGET_RSS_MB = 250.0


def serve_figures(count: int, accounts: int, time_scale: float) -> dict[str, Any]:
    """Run one drill of `count` servers in serve; its peak RSS and how long it took."""
    folder = Path(tempfile.mkdtemp(prefix="drorch-serve-bench-"))
    fleet = synthetic_fleet(count, accounts=accounts)
    (folder / "fleet.yaml").write_text(json.dumps(fleet))
    add_user(folder)
    port = free_port()
    process = _start(folder, port, time_scale)
    try:
        wait_healthy(port, process, timeout=120)
        token = sign_in(port)
        begin = time.perf_counter()
        execution_id = _start_drill(port, token, fleet)
        status, peak = _follow(port, token, execution_id, psutil.Process(process.pid))
        wall = time.perf_counter() - begin
        hwm = _high_water_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return {
        "servers": count,
        "accounts": accounts,
        "time_scale": time_scale,
        "status": status,
        "peak_rss_mb_sampled": round(peak, 1),
        "peak_rss_mb_high_water": hwm,
        "target_mb": TARGET_RSS_MB,
        "met": max(peak, hwm or 0.0) <= TARGET_RSS_MB,
        "drill_wall_seconds": round(wall, 1),
    }


def _start(folder: Path, port: int, time_scale: float) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    # The target is engine + API + DRS sandbox: the plan has no actions, so the embedded moto
    # (the other AWS services) is left off, as it would idle beside the figure.
    env.update(DRORCH_SANDBOX_CLOCK="scaled", DRORCH_SANDBOX_AWS="false", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-c", "from drorch.cli.main import main; main()", "serve"]
    command += ["--sandbox", "--fleet", str(folder / "fleet.yaml")]
    command += ["--time-scale", str(time_scale)]
    command += ["--host", HOST, "--port", str(port), "--data-dir", str(folder)]
    log = (folder / "serve.log").open("wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def _start_drill(port: int, token: str, fleet: dict[str, Any]) -> str:
    """Sync, one group per account and half, a two-wave plan, a drill; the execution id."""
    status, synced = call(port, "POST", "/api/v1/source-servers/sync", token=token)
    assert status == 200, synced
    by_account: dict[str, list[str]] = {}
    for server in fleet["servers"]:
        by_account.setdefault(server["account"], []).append(server["id"])
    waves = []
    for half in (0, 1):
        group_ids = []
        for account, servers in sorted(by_account.items()):
            body = {
                "name": f"scale-{account}-{half}",
                "account_id": account,
                "region": "us-east-1",
                "selection": {"server_ids": servers[half::2]},
            }
            status, group = call(port, "POST", "/api/v1/protection-groups", body, token)
            assert status == 201, group
            group_ids.append(group["id"])
        waves.append({"name": f"half{half}", "protection_group_ids": group_ids})
    status, plan = call(
        port, "POST", "/api/v1/recovery-plans", {"name": "scale", "waves": waves}, token
    )
    assert status == 201, plan
    body = {"plan_id": plan["id"], "type": "DRILL", "cleanup_after_minutes": "keep"}
    status, execution = call(port, "POST", "/api/v1/executions", body, token)
    assert status == 201, execution
    return str(execution["id"])


def _follow(port: int, token: str, execution_id: str, proc: psutil.Process) -> tuple[str, float]:
    """Poll the list until the drill ends; its final status and the highest RSS seen (MB)."""
    peak = 0.0
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        peak = max(peak, proc.memory_info().rss / 2**20)
        status, page = call(port, "GET", "/api/v1/executions?limit=5", token=token)
        assert status == 200, page
        mine = next(e for e in page["items"] if e["id"] == execution_id)
        if mine["status"] not in ("PENDING", "RUNNING", "PAUSED", "CANCELLING"):
            return str(mine["status"]), peak
        time.sleep(0.5)
    raise RuntimeError("the drill did not end within an hour")


def _high_water_mb(pid: int) -> float | None:
    """The kernel's peak resident size of the process (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None
