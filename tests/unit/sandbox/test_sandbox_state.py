"""Clock modes and the state file."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from drorch.sandbox import Sandbox
from drorch.sandbox.clock import SandboxClock
from drorch.sandbox.faults import FaultsRequest
from tests.support.sandbox import ACCOUNT, REGION, sid, small_fleet


def test_virtual_clock_moves_only_when_advanced() -> None:
    clock = SandboxClock(mode="virtual")
    start = clock.now()
    time.sleep(0.01)
    assert clock.now() == start
    assert clock.advance(90) == start + 90
    with pytest.raises(ValueError):
        clock.advance(-1)


def test_scaled_clock_runs_faster_than_real_time() -> None:
    clock = SandboxClock(mode="scaled", time_scale=1000)
    start = clock.now()
    time.sleep(0.02)
    assert clock.now() - start >= 10  # 20 ms x 1000, with slack for a slow machine


def test_resumed_scaled_clock_counts_the_time_it_was_stopped() -> None:
    saved = {"mode": "scaled", "time_scale": 10, "now": 1000.0, "wall": time.time() - 5}
    assert SandboxClock.resume(saved, "scaled", 10).now() >= 1049
    assert SandboxClock.resume(saved, "virtual", 1).now() == 1000.0


def test_state_file_keeps_jobs_instances_tags_faults_and_stats(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    first = Sandbox.open(small_fleet(), clock="virtual", state_file=path)
    call = _caller(first)
    call("DescribeSourceServers")  # rendered servers carry caches the file must not hold
    job = call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}], tags={"k": "v"})
    first.advance(900)
    call("StartRecovery", sourceServers=[{"sourceServerID": sid(2)}])
    first.add_faults(FaultsRequest(fail_launches=[sid(3)], throttle={"DescribeJobs": 3}))
    first.count_call("DescribeJobs")
    first.save()
    second = Sandbox.open(None, clock="virtual", state_file=path)
    again = _caller(second)
    assert second.clock.now() == first.clock.now()
    jobs = {j["jobID"]: j for j in again("DescribeJobs")["items"]}
    assert jobs[job["job"]["jobID"]]["status"] == "COMPLETED"
    assert jobs[job["job"]["jobID"]]["tags"] == {"k": "v"}
    assert len(again("DescribeRecoveryInstances")["items"]) == 1
    assert second.stats() == first.stats()
    assert second.describe_faults() == first.describe_faults()
    second.advance(900)  # the pending job goes on after the restart
    assert all(j["status"] == "COMPLETED" for j in again("DescribeJobs")["items"])
    next_id = again("StartRecovery", sourceServers=[{"sourceServerID": sid(4)}])["job"]["jobID"]
    assert next_id not in jobs


def test_state_file_is_plain_json_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.json"
    Sandbox.open(small_fleet(), clock="virtual", state_file=path)
    data = json.loads(path.read_text())
    assert data["version"] == 1 and len(data["scopes"]) == 3
    assert not list(path.parent.glob("*.tmp"))


def _caller(sb: Sandbox) -> Any:
    def run(operation: str, **params: Any) -> dict[str, Any]:
        return dict(sb.call(operation, ACCOUNT, REGION, params))

    return run


def test_sandbox_time_is_a_clock_whose_sleep_moves_jobs_along() -> None:
    from drorch.ports.clock import Clock
    from tests.support.sandbox import SandboxTime

    sb = Sandbox.open(small_fleet(), clock="virtual")
    clock: Clock = SandboxTime(sb)
    start = clock.now()
    job = _caller(sb)("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])["job"]
    clock.sleep(900)
    assert (clock.now() - start).total_seconds() == 900
    assert start.tzinfo is not None
    done = _caller(sb)("DescribeJobs", filters={"jobIDs": [job["jobID"]]})["items"][0]
    assert done["status"] == "COMPLETED"
