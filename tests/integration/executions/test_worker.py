"""`drorch worker` advances the executions of a server that runs no engine itself."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.cli.worker import run_worker
from drorch.config import Settings
from tests.integration.executions.conftest import EXECUTIONS, WAIT_LIMIT, sample_groups
from tests.support.server import ENTRY, api_client, running_server, server_env


def test_worker_runs_executions_then_stops_on_sigint(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"DRORCH_RUNNER_ENABLED": "false"}
    args = ["--sandbox", "--time-scale", "3000"]
    with (
        running_server(data_dir, args=args, env=env) as server,
        api_client(server) as http,
    ):
        assert http.post("/api/v1/source-servers/sync").status_code == 200
        group = sample_groups(http)["payroll-us-west-2-db"]
        plan = http.post(
            "/api/v1/recovery-plans",
            json={"name": "by-worker", "waves": [{"name": "db", "protection_group_ids": [group]}]},
        ).json()
        started = http.post(EXECUTIONS, json={"plan_id": plan["id"], "type": "DRILL"}).json()
        assert started["status"] == "PENDING"
        command = [sys.executable, "-c", ENTRY, "worker", "--data-dir", str(data_dir)]
        command += ["--drs-endpoint-url", f"{server.base_url}/sandbox/drs"]
        worker = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=server_env(), text=True
        )
        try:
            status = _wait_settled(http, started["id"])
            worker.send_signal(signal.SIGINT)
            output, _ = worker.communicate(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert status == "COMPLETED"
    assert worker.returncode == 0, output
    assert "worker stopped" in output


def test_worker_with_drs_switched_off_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRORCH_DRS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("DRORCH_SANDBOX", raising=False)
    monkeypatch.setenv("DRORCH_DRS_ENABLED", "false")
    result = CliRunner().invoke(app, ["worker", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: DRS is switched off")


def test_worker_without_an_endpoint_runs_against_real_drs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stop = threading.Event()
    stop.set()  # start, find the runner wired to real DRS, and drain at once
    settings = Settings(data_dir=tmp_path, drs_enabled=True, runner_enabled=True)
    run_worker(settings, stop=stop)
    err = capsys.readouterr().err
    assert "worker running" in err and "worker stopped" in err


def _wait_settled(http: httpx.Client, execution_id: str) -> str:
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        execution = http.get(f"{EXECUTIONS}/{execution_id}").json()
        if execution["status"] in ("COMPLETED", "PARTIAL", "FAILED", "CANCELLED"):
            return str(execution["status"])
        time.sleep(0.1)
    pytest.fail(f"the worker never finished {execution_id}")
