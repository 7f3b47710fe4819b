"""Jobs move as DRS moves them: statuses, log events, recovery instances, server fields."""

from __future__ import annotations

from typing import Any

import pytest

from drorch.sandbox import Sandbox
from drorch.sandbox.errors import NotFound
from tests.support.sandbox import sid


def _launch(call: Any, *ids: str, drill: bool = True, **extra: Any) -> dict[str, Any]:
    servers = [{"sourceServerID": i} for i in ids]
    return dict(call("StartRecovery", sourceServers=servers, isDrill=drill, **extra)["job"])


def _job(call: Any, job_id: str) -> dict[str, Any]:
    return dict(call("DescribeJobs", filters={"jobIDs": [job_id]})["items"][0])


def _server(call: Any, server_id: str) -> dict[str, Any]:
    return dict(call("DescribeSourceServers", filters={"sourceServerIDs": [server_id]})["items"][0])


def test_a_drill_goes_pending_started_completed(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(1), sid(2), tags={"execution": "ex-1"})
    assert (job["type"], job["initiatedBy"], job["status"]) == ("LAUNCH", "START_DRILL", "PENDING")
    assert job["tags"] == {"execution": "ex-1"}
    assert {p["launchStatus"] for p in job["participatingServers"]} == {"PENDING"}
    sandbox.advance(40)
    started = _job(call, job["jobID"])
    assert started["status"] == "STARTED"
    assert {p["launchStatus"] for p in started["participatingServers"]} == {"IN_PROGRESS"}
    sandbox.advance(600)
    done = _job(call, job["jobID"])
    assert done["status"] == "COMPLETED" and "endDateTime" in done
    assert {p["launchStatus"] for p in done["participatingServers"]} == {"LAUNCHED"}
    assert all(p["recoveryInstanceID"].startswith("i-") for p in done["participatingServers"])


def test_job_log_has_the_model_events_per_server(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(1))
    sandbox.advance(900)
    items = call("DescribeJobLogItems", jobID=job["jobID"])["items"]
    events = [i["event"] for i in items]
    assert events == [
        "JOB_START",
        "SNAPSHOT_START",
        "SNAPSHOT_END",
        "CONVERSION_START",
        "CONVERSION_END",
        "LAUNCH_START",
        "JOB_END",
    ]
    launch = items[5]["eventData"]
    assert launch["sourceServerID"] == sid(1) and launch["targetInstanceID"].startswith("i-")


def test_launch_creates_a_drill_instance_and_updates_the_server(
    sandbox: Sandbox, call: Any
) -> None:
    job = _launch(call, sid(1))
    assert _server(call, sid(1))["lastLaunchResult"] == "PENDING"
    sandbox.advance(900)
    instances = call("DescribeRecoveryInstances")["items"]
    assert len(instances) == 1
    inst = instances[0]
    assert inst["isDrill"] is True and inst["sourceServerID"] == sid(1)
    assert inst["ec2InstanceID"] == inst["recoveryInstanceID"] and inst["jobID"] == job["jobID"]
    assert inst["ec2InstanceState"] == "RUNNING"
    server = _server(call, sid(1))
    assert server["lastLaunchResult"] == "SUCCEEDED"
    assert server["recoveryInstanceId"] == inst["recoveryInstanceID"]
    last = server["lifeCycle"]["lastLaunch"]
    assert last["initiated"]["jobID"] == job["jobID"] and last["initiated"]["type"] == "DRILL"
    assert last["status"] == "LAUNCHED"


def test_recovery_is_not_a_drill(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(1), drill=False)
    assert job["initiatedBy"] == "START_RECOVERY"
    sandbox.advance(900)
    assert call("DescribeRecoveryInstances")["items"][0]["isDrill"] is False
    assert _server(call, sid(1))["lifeCycle"]["lastLaunch"]["initiated"]["type"] == "RECOVERY"


def test_windows_is_still_running_when_linux_is_done(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(1), sid(5))
    sandbox.advance(420)
    statuses = {
        p["sourceServerID"]: p["launchStatus"]
        for p in _job(call, job["jobID"])["participatingServers"]
    }
    assert statuses == {sid(1): "LAUNCHED", sid(5): "IN_PROGRESS"}
    sandbox.advance(1200)
    assert _job(call, job["jobID"])["status"] == "COMPLETED"


def test_terminate_removes_the_instances_through_a_terminate_job(
    sandbox: Sandbox, call: Any
) -> None:
    _launch(call, sid(1), sid(2))
    sandbox.advance(900)
    ids = [i["recoveryInstanceID"] for i in call("DescribeRecoveryInstances")["items"]]
    job = call("TerminateRecoveryInstances", recoveryInstanceIDs=ids)["job"]
    assert (job["type"], job["initiatedBy"]) == ("TERMINATE", "TERMINATE_RECOVERY_INSTANCES")
    assert sorted(p["recoveryInstanceID"] for p in job["participatingServers"]) == sorted(ids)
    sandbox.advance(300)
    assert call("DescribeRecoveryInstances")["items"] == []
    done = _job(call, job["jobID"])
    assert done["status"] == "COMPLETED"
    assert {p["launchStatus"] for p in done["participatingServers"]} == {"TERMINATED"}
    events = [i["event"] for i in call("DescribeJobLogItems", jobID=job["jobID"])["items"]]
    assert events.count("CLEANUP_START") == 2 and events.count("CLEANUP_END") == 2
    server = _server(call, sid(1))
    assert "recoveryInstanceId" not in server
    assert server["lifeCycle"]["lastLaunch"]["status"] == "TERMINATED"


def test_a_new_launch_replaces_the_previous_instance(sandbox: Sandbox, call: Any) -> None:
    _launch(call, sid(1))
    sandbox.advance(900)
    first = call("DescribeRecoveryInstances")["items"][0]["recoveryInstanceID"]
    _launch(call, sid(1))
    sandbox.advance(900)
    instances = call("DescribeRecoveryInstances")["items"]
    assert [i["recoveryInstanceID"] for i in instances] != [first]
    assert len(instances) == 1


def test_stalled_server_launches_from_its_previous_snapshot(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(7))
    sandbox.advance(900)
    events = [i["event"] for i in call("DescribeJobLogItems", jobID=job["jobID"])["items"]]
    assert "USING_PREVIOUS_SNAPSHOT" in events and "SNAPSHOT_START" not in events
    inst = call("DescribeRecoveryInstances")["items"][0]
    snaps = call("DescribeRecoverySnapshots", sourceServerID=sid(7), order="DESC")["items"]
    assert inst["pointInTimeSnapshotDateTime"] == snaps[0]["expectedTimestamp"]


def test_server_still_in_initial_sync_fails_to_launch(sandbox: Sandbox, call: Any) -> None:
    job = _launch(call, sid(8))
    sandbox.advance(900)
    done = _job(call, job["jobID"])
    assert done["participatingServers"][0]["launchStatus"] == "FAILED"
    events = [i["event"] for i in call("DescribeJobLogItems", jobID=job["jobID"])["items"]]
    assert "USING_PREVIOUS_SNAPSHOT_FAILED" in events
    assert _server(call, sid(8))["lastLaunchResult"] == "FAILED"


def test_stalled_replication_shows_growing_lag(sandbox: Sandbox, call: Any) -> None:
    before = _server(call, sid(7))["dataReplicationInfo"]
    assert before["dataReplicationState"] == "STALLED" and before["lagDuration"] == "PT1H"
    sandbox.advance(1800)
    assert _server(call, sid(7))["dataReplicationInfo"]["lagDuration"] == "PT1H30M"


def test_a_chosen_snapshot_must_belong_to_the_server(sandbox: Sandbox, call: Any) -> None:
    snap = call("DescribeRecoverySnapshots", sourceServerID=sid(1))["items"][0]["snapshotID"]
    job = call(
        "StartRecovery", sourceServers=[{"sourceServerID": sid(1), "recoverySnapshotID": snap}]
    )["job"]
    assert job["status"] == "PENDING"
    with pytest.raises(NotFound):
        call(
            "StartRecovery",
            sourceServers=[{"sourceServerID": sid(2), "recoverySnapshotID": snap}],
        )


def test_launch_disposition_stopped_leaves_the_instance_stopped(
    sandbox: Sandbox, call: Any
) -> None:
    call("UpdateLaunchConfiguration", sourceServerID=sid(1), launchDisposition="STOPPED")
    _launch(call, sid(1))
    sandbox.advance(900)
    assert call("DescribeRecoveryInstances")["items"][0]["ec2InstanceState"] == "STOPPED"


def test_ids_follow_the_model_patterns_and_repeat_for_a_seed(fleet_data: dict[str, Any]) -> None:
    from drorch.sandbox import load_fleet
    from drorch.sandbox.clock import SandboxClock

    def first_job() -> str:
        sb = Sandbox(load_fleet(fleet_data), clock=SandboxClock(mode="virtual"))
        params = {"sourceServers": [{"sourceServerID": sid(1)}]}
        return str(sb.call("StartRecovery", "123456789012", "us-east-1", params)["job"]["jobID"])

    job_id = first_job()
    assert job_id == first_job()
    assert len(job_id) == 24 and job_id.startswith("drsjob-")
