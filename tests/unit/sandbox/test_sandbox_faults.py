"""Injected faults: failed launches, stalled jobs, throttling buckets, latency, reset."""

from __future__ import annotations

from typing import Any

import pytest

from drorch.sandbox import Sandbox
from drorch.sandbox.faults import Faults, FaultsRequest, Limit, Throttle
from tests.support.sandbox import sid


def _job(call: Any, job_id: str) -> dict[str, Any]:
    return dict(call("DescribeJobs", filters={"jobIDs": [job_id]})["items"][0])


def test_failed_launch_fault_fails_the_server_in_the_chosen_phase(
    sandbox: Sandbox, call: Any
) -> None:
    sandbox.add_faults(FaultsRequest(fail_launches=[sid(1)], fail_phase="CONVERSION"))
    job = call(
        "StartRecovery", sourceServers=[{"sourceServerID": sid(1)}, {"sourceServerID": sid(2)}]
    )
    sandbox.advance(900)
    done = _job(call, job["job"]["jobID"])
    statuses = {p["sourceServerID"]: p["launchStatus"] for p in done["participatingServers"]}
    assert statuses == {sid(1): "FAILED", sid(2): "LAUNCHED"}
    assert done["status"] == "COMPLETED"  # a job never fails; servers do
    events = [i["event"] for i in call("DescribeJobLogItems", jobID=done["jobID"])["items"]]
    assert "CONVERSION_FAIL" in events
    assert [i["sourceServerID"] for i in call("DescribeRecoveryInstances")["items"]] == [sid(2)]


def test_launch_failure_removes_the_instance_started_for_it(sandbox: Sandbox, call: Any) -> None:
    sandbox.add_faults(FaultsRequest(fail_launches=[sid(1)], fail_phase="LAUNCH"))
    job = call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])["job"]
    sandbox.advance(900)
    assert call("DescribeRecoveryInstances")["items"] == []
    events = [i["event"] for i in call("DescribeJobLogItems", jobID=job["jobID"])["items"]]
    assert "LAUNCH_START" in events and "LAUNCH_FAILED" in events


def test_a_stalled_job_waits_until_faults_are_cleared(sandbox: Sandbox, call: Any) -> None:
    job_id = call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])["job"]["jobID"]
    sandbox.advance(60)
    sandbox.add_faults(FaultsRequest(stall_jobs=[job_id]))
    assert sandbox.describe_faults()["stalled_jobs"] == [job_id]
    log_before = len(call("DescribeJobLogItems", jobID=job_id)["items"])
    sandbox.advance(3600)
    assert _job(call, job_id)["status"] == "STARTED"
    assert len(call("DescribeJobLogItems", jobID=job_id)["items"]) == log_before
    sandbox.clear_faults()
    sandbox.advance(600)
    assert _job(call, job_id)["status"] == "COMPLETED"


def test_stall_new_jobs_freezes_jobs_at_creation(sandbox: Sandbox, call: Any) -> None:
    sandbox.add_faults(FaultsRequest(stall_new_jobs=True))
    job_id = call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])["job"]["jobID"]
    sandbox.advance(3600)
    assert _job(call, job_id)["status"] == "PENDING"


def test_stalling_an_unknown_job_changes_nothing(sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        sandbox.add_faults(FaultsRequest(fail_launches=[sid(1)], stall_jobs=["drsjob-x"]))
    assert sandbox.describe_faults()["fail_launches"] == {}


def test_throttle_bucket_allows_the_rate_then_asks_to_wait() -> None:
    bucket = Throttle()
    key = ("111", "us-east-1", "DescribeJobs")
    assert [bucket.check(key, Limit(2.0, 2.0)) for _ in range(2)] == [None, None]
    wait = bucket.check(key, Limit(2.0, 2.0))
    assert wait is not None and wait >= 1
    assert bucket.check(("111", "us-east-1", "StartRecovery"), Limit(2.0, 2.0)) is None


def test_throttle_buckets_are_per_account_region_and_operation() -> None:
    bucket, limit = Throttle(), Limit(0.001, 1.0)
    assert bucket.check(("111", "us-east-1", "DescribeJobs"), limit) is None
    assert bucket.check(("111", "us-east-1", "DescribeJobs"), limit) == 1000
    # Another Region, another account: buckets of their own, still full.
    assert bucket.check(("111", "us-west-2", "DescribeJobs"), limit) is None
    assert bucket.check(("222", "us-east-1", "DescribeJobs"), limit) is None


def test_a_burst_lets_calls_pass_back_to_back_below_two_per_second() -> None:
    bucket, key = Throttle(), ("111", "us-east-1", "DescribeJobs")
    outcomes = [bucket.check(key, Limit(0.5, 3.0)) for _ in range(4)]
    assert outcomes[:3] == [None, None, None]
    assert outcomes[3] == 2  # one token at 0.5/s takes two seconds


def test_limits_and_latencies_apply_per_operation_or_to_all() -> None:
    faults = Faults(
        throttle={"DescribeJobs": 0.5, "*": 4},
        throttle_burst={"DescribeJobs": 5},
        latency={"DescribeJobs": 0.5, "*": 0.1},
        latency_after={"StartRecovery": 2},
    )
    assert faults.limit_for("DescribeJobs") == Limit(0.5, 5)
    assert faults.limit_for("StartRecovery") == Limit(4, 4)  # default burst: max(1, rate)
    assert Faults(throttle={"StartRecovery": 0.2}).limit_for("StartRecovery") == Limit(0.2, 1)
    assert Faults().limit_for("DescribeJobs") is None
    assert faults.latency_for("DescribeJobs") == 0.5
    assert faults.latency_for("StartRecovery") == 0.1
    assert (faults.latency_after_for("StartRecovery"), faults.latency_after_for("x")) == (2, 0)
    assert Faults.from_dict(faults.to_dict()) == faults


def test_reset_restores_the_fleet_and_clears_stats(sandbox: Sandbox, call: Any) -> None:
    call("TagResource", resourceArn=_arn(call), tags={"x": "1"})
    call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])
    sandbox.count_call("StartRecovery")
    sandbox.add_faults(FaultsRequest(throttle={"*": 5}))
    before = sandbox.clock.now()
    sandbox.reset()
    assert sandbox.stats() == {"calls": {}, "launches": {}}
    assert call("DescribeJobs")["items"] == []
    assert "x" not in call("ListTagsForResource", resourceArn=_arn(call))["tags"]
    assert sandbox.describe_faults()["throttle"] == {}
    assert sandbox.clock.now() >= before


def _arn(call: Any) -> str:
    return str(
        call("DescribeSourceServers", filters={"sourceServerIDs": [sid(1)]})["items"][0]["arn"]
    )


def test_stats_count_launches_per_server(sandbox: Sandbox, call: Any) -> None:
    call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}, {"sourceServerID": sid(2)}])
    sandbox.advance(900)
    call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])
    assert sandbox.stats()["launches"] == {sid(1): 2, sid(2): 1}
