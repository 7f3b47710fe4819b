"""`drorch sandbox` and `drorch serve --sandbox` as real processes; state survives restarts."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

from drorch.adapters.aws.drs import BotoDrsGateway, sandbox_client
from tests.support.drs_model import attach_validator
from tests.support.sandbox import KEY, NO_RETRY, REGION, sid, small_fleet
from tests.support.server import (
    ENTRY,
    api_client,
    free_port,
    running_server,
    server_env,
    stop,
)


@contextmanager
def sandbox_process(tmp: Path, *args: str) -> Iterator[str]:
    """`drorch sandbox` on a free port until the block ends (SIGTERM, like an operator)."""
    port = free_port()
    command = [sys.executable, "-c", ENTRY, "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    log = (tmp / f"sandbox-{port}.log").open("wb")
    process = subprocess.Popen(
        [*command, *args], stdout=log, stderr=subprocess.STDOUT, env=server_env()
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process)
        yield url
    finally:
        stop(process)
        log.close()


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"drorch sandbox exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/_sandbox/stats", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("drorch sandbox did not start")


def _client(url: str) -> Any:
    return attach_validator(sandbox_client(url, KEY, REGION, NO_RETRY))


def test_standalone_sandbox_keeps_its_state_across_a_restart(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(yaml.safe_dump(small_fleet()))
    state = tmp_path / "state.json"
    args = ("--fleet", str(fleet), "--clock", "virtual", "--state-file", str(state))
    with sandbox_process(tmp_path, *args) as url:
        drs = _client(url)
        done = drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}], tags={"k": "v"})
        httpx.post(f"{url}/_sandbox/clock/advance", json={"seconds": 900})
        running = drs.start_recovery(sourceServers=[{"sourceServerID": sid(2)}])
        httpx.post(f"{url}/_sandbox/faults", json={"fail_launches": [sid(3)]})
        stats = httpx.get(f"{url}/_sandbox/stats").json()
        clock = httpx.get(f"{url}/_sandbox/clock").json()
    with sandbox_process(tmp_path, *args) as url:
        drs = _client(url)
        assert httpx.get(f"{url}/_sandbox/clock").json()["epoch"] == clock["epoch"]
        assert httpx.get(f"{url}/_sandbox/stats").json() == stats
        assert httpx.get(f"{url}/_sandbox/faults").json()["fail_launches"] == {sid(3): "LAUNCH"}
        jobs = {j["jobID"]: j for j in drs.describe_jobs()["items"]}
        assert jobs[done["job"]["jobID"]]["status"] == "COMPLETED"
        assert jobs[done["job"]["jobID"]]["tags"] == {"k": "v"}
        assert jobs[running["job"]["jobID"]]["status"] == "PENDING"
        assert len(drs.describe_recovery_instances()["items"]) == 1
        httpx.post(f"{url}/_sandbox/clock/advance", json={"seconds": 900})
        assert jobs.keys() == {j["jobID"] for j in drs.describe_jobs()["items"]}
        assert {j["status"] for j in drs.describe_jobs()["items"]} == {"COMPLETED"}


def test_serve_mounts_the_sandbox_and_syncs_inventory_from_it(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    args = ["--sandbox", "--state-file", str(state)]
    with running_server(tmp_path / "data", args=args) as server:
        with api_client(server) as http:
            synced = http.post("/api/v1/source-servers/sync")
        assert synced.status_code == 200, synced.text
        counts = {(s["account_id"], s["region"]): s["servers"] for s in synced.json()["scopes"]}
        assert sum(counts.values()) == 30 and len(counts) == 4
        endpoint = f"{server.base_url}/sandbox/drs"
        accounts = httpx.get(f"{endpoint}/_sandbox/accounts").json()
        gateway = BotoDrsGateway.for_sandbox_endpoint(
            endpoint, config=NO_RETRY, on_client=attach_validator
        )
        scope = gateway.scopes()[0]
        job = gateway.client(scope).start_recovery(
            source_server_ids=[gateway.client(scope).describe_source_servers()[0].id],
            is_drill=True,
            tags={"via": "mount"},
        )
        stats = httpx.get(f"{endpoint}/_sandbox/stats").json()
        assert stats["calls"]["DescribeSourceServers"] >= 5 and len(stats["launches"]) == 1
        assert accounts[0]["account_id"] == scope.account_id
    with running_server(tmp_path / "data", args=args) as server:
        endpoint = f"{server.base_url}/sandbox/drs"
        gateway = BotoDrsGateway.for_sandbox_endpoint(
            endpoint, config=NO_RETRY, on_client=attach_validator
        )
        jobs = gateway.client(scope).describe_jobs(job_ids=[job.job_id])
        assert [j.tags for j in jobs] == [{"via": "mount"}]
