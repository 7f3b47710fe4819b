"""Backup while `drorch serve` drives an execution, restore elsewhere, and it finishes there.

The sandbox runs in its own process (scaled time, state file) so that its launch counts
survive both servers. The plan has one wave of one batch: once the sandbox has launched
every server, nothing the first server does after the backup launches anything more, so
the restored copy must carry the intent and never launch again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
from typer.testing import CliRunner

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.cli.main import app
from drorch.services import executions as svc
from drorch.services.inventory import sync_inventory
from tests.integration.engine.harness import ids
from tests.integration.engine.test_crash_safety import plan
from tests.support.identity import acting
from tests.support.sandbox import many_servers
from tests.support.server import (
    RunningServer,
    api_client,
    open_store,
    running_server,
    sandbox_process,
)

SERVERS = 12
TIME_SCALE = 20.0  # a Linux launch takes ~15 s: room to back up while it runs


def start_drill(data_dir: Path, url: str) -> str:
    """Sync the inventory, make a one-wave plan and start its drill (no runner yet)."""
    store = open_store(data_dir)
    try:
        sync_inventory(store=store, drs=BotoDrsGateway.for_sandbox_endpoint(url))
        plan_id = plan(store, "backed-up", [("w1", ids(1000, SERVERS))])
        request = svc.StartRequest(plan_id, "DRILL")
        return svc.start_execution(
            store=store,
            drs=BotoDrsGateway.for_sandbox_endpoint(url),
            request=request,
            audit=acting("backup-test"),
        ).id
    finally:
        store.close()


def launches(url: str) -> dict[str, int]:
    """How often the sandbox launched each server."""
    found: dict[str, int] = httpx.get(f"{url}/_sandbox/stats").json()["launches"]
    return found


def wait_until(check: Callable[[], bool], limit: float) -> None:
    """Poll `check()` until it is true; fail after `limit` seconds."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not reached within {limit}s")


def status(server: RunningServer, execution_id: str) -> str:
    """The execution's status as the server's API reports it."""
    with api_client(server) as client:
        value: str = client.get(f"/api/v1/executions/{execution_id}").json()["status"]
        return value


def test_backup_of_a_running_execution_restores_and_finishes_without_relaunching(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "running.tar.gz"
    with sandbox_process(tmp_path, many_servers(SERVERS), time_scale=TIME_SCALE) as url:
        first = tmp_path / "first"
        execution_id = start_drill(first, url)
        env = {"DRORCH_DRS_ENDPOINT_URL": url}
        with running_server(first, env=env) as server:
            wait_until(lambda: len(launches(url)) == SERVERS, 30)
            assert status(server, execution_id) == "RUNNING"
            result = CliRunner().invoke(
                app, ["backup", "--to", str(archive), "--data-dir", str(first)]
            )
            assert result.exit_code == 0, result.stderr
            assert status(server, execution_id) == "RUNNING"  # backed up mid-run
            server.process.kill()  # the first machine is gone
            server.process.wait()
        second = tmp_path / "second"
        result = CliRunner().invoke(app, ["restore", str(archive), "--data-dir", str(second)])
        assert result.exit_code == 0, result.stderr
        with running_server(second, env=env) as restored:
            wait_until(lambda: status(restored, execution_id) == "COMPLETED", 120)
        counted = launches(url)
    assert len(counted) == SERVERS
    assert set(counted.values()) == {1}
