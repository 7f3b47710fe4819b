"""`drorch demo` as an operator runs it: a live drill, serving until SIGINT, run again."""

from __future__ import annotations

import queue
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import (
    ENTRY,
    HOST,
    Credentials,
    client_for,
    free_port,
    server_env,
    sign_in,
)

ROLES = ("viewer", "auditor", "operator", "plan-manager", "recovery-manager", "admin")  # as printed
# A safety net for a broken demo, not a performance expectation.
OUTPUT_LIMIT = 240.0
STOP_LIMIT = 30.0
PLANS = "/api/v1/recovery-plans"
RUNBOOKS = ("bookings Region failover", "gift tracker data corruption")
EDITED = "Our own words: call the on-call lead first."


class Demo:
    """A `drorch demo` process whose output is read line by line in the background."""

    def __init__(self, data_dir: Path, port: int) -> None:
        command = [sys.executable, "-c", ENTRY, "demo", "--port", str(port)]
        command += ["--data-dir", str(data_dir), "--time-scale", "3000"]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # The embedded moto on, as `drorch demo` has it: the example plans need it.
            env=server_env({"DRORCH_SANDBOX_AWS": "true"}),
            cwd=data_dir.parent,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str) -> str:
        """The first output line containing `text`; fails with everything seen otherwise."""
        deadline = time.monotonic() + OUTPUT_LIMIT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        pytest.fail(f"demo never printed {text!r}:\n" + "\n".join(self.seen))

    def interrupt(self) -> int:
        """SIGINT, as Ctrl-C sends; returns the exit code."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail("demo did not stop on SIGINT:\n" + "\n".join(self.seen))

    def kill(self) -> None:
        """Make sure the process is gone."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_demo_drills_serves_and_runs_again(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "demo", free_port()
    first = Demo(data_dir, port)
    try:
        first.wait_for(f"UI http://{HOST}:{port}/")
        assert "(new: 16)" in first.wait_for("sample recovery plans:")
        assert "(new: 2, updated: 0)" in first.wait_for("example runbook plans:")
        free = first.wait_for("in no group yet")
        assert free.startswith("3 source server(s) in no group yet (intra-db-e01, intra-web-e01")
        first.wait_for("demo users")
        printed = dict(first.wait_for(f"demo-{role}").split() for role in ROLES)
        scheduled = first.wait_for("sample schedules:")
        assert "-weekly-drill, " in scheduled
        assert scheduled.endswith("-readiness (drorch schedules list)")
        first.wait_for("as demo-admin")
        first.wait_for("demo drill finished: COMPLETED")
        # The drill's report, as HTML and PDF, is saved beside the data.
        saved = sorted(p.suffix for p in (data_dir / "reports").iterdir())
        assert saved == [".html", ".pdf"]
        first.wait_for("still serving")
        health = httpx.get(f"http://{HOST}:{port}/health", timeout=10)
        assert health.status_code == 200 and health.json()["checks"]["drs"]["status"] == "ok"
        planner = Credentials("demo-plan-manager", printed["demo-plan-manager"])
        with _client(port, planner) as http:
            before = {name: _edit(http, _runbook(http, name)) for name in RUNBOOKS}
        assert first.interrupt() == 0
    finally:
        first.kill()
    users_file = data_dir / "demo-users.txt"
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    kept = dict(line.split() for line in users_file.read_text().splitlines()[1:])
    assert kept == printed and len(set(kept.values())) == len(ROLES)
    again = Demo(data_dir, port)
    try:
        assert "(new: 0)" in again.wait_for("sample recovery plans:")
        # moto is fresh: its ids moved, and only those are re-pointed in the edited plans.
        assert "(new: 0, updated: 2)" in again.wait_for("example runbook plans:")
        assert again.wait_for("demo-operator").split() == ["demo-operator", kept["demo-operator"]]
        assert "kept from an earlier demo" in again.wait_for("sample schedules:")
        again.wait_for("started DRILL")
        again.wait_for("execution.created")
        with _client(port, planner) as http:
            for name in RUNBOOKS:
                _check_kept(http, _runbook(http, name), before[name])
        assert again.interrupt() == 0
    finally:
        again.kill()


def _client(port: int, who: Credentials) -> httpx.Client:
    url = f"http://{HOST}:{port}"
    return client_for(url, sign_in(url, who))


def _runbook(http: httpx.Client, name: str) -> dict[str, Any]:
    found = http.get(PLANS, params={"search": name}).json()["items"]
    assert [p["name"] for p in found] == [name]
    plan: dict[str, Any] = found[0]
    return plan


def _ids(plan: dict[str, Any]) -> dict[str, str]:
    """The moto ids the plan's actions name (zone, distribution, REST API), by action."""
    keys = ("zone_id", "distribution_id", "rest_api_id")
    actions = [a for w in plan["waves"] for a in w["actions"]]
    return {a["name"]: a["params"][k] for a in actions for k in keys if k in a["params"]}


def _edit(http: httpx.Client, plan: dict[str, Any]) -> dict[str, str]:
    """An operator's edit: the description and every action's timeout; the ids it named."""
    for wave in plan["waves"]:
        for action in wave["actions"]:
            action["timeout_minutes"] = 7
    saved = http.put(f"{PLANS}/{plan['id']}", json={**plan, "description": EDITED})
    assert saved.status_code == 200, saved.text
    return _ids(plan)


def _check_kept(http: httpx.Client, plan: dict[str, Any], before: dict[str, str]) -> None:
    """The edit survived; the ids are new and name this start's resources (readiness)."""
    assert plan["description"] == EDITED
    assert {a["timeout_minutes"] for w in plan["waves"] for a in w["actions"]} == {7}
    now = _ids(plan)
    assert now.keys() == before.keys() and not set(now.values()) & set(before.values())
    checked = http.post(f"{PLANS}/{plan['id']}/readiness")
    assert checked.status_code == 200, checked.text
    assert checked.json()["error_count"] == 0, checked.text
