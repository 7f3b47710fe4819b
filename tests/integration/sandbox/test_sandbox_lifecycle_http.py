"""A whole drill and its cleanup under the virtual clock, as drorch's engine will see it."""

from __future__ import annotations

from typing import Any

from tests.support.sandbox import RunningSandbox, sid


def _statuses(drs: Any, job_id: str) -> tuple[str, dict[str, str]]:
    job = drs.describe_jobs(filters={"jobIDs": [job_id]})["items"][0]
    return job["status"], {
        p["sourceServerID"]: p["launchStatus"] for p in job["participatingServers"]
    }


def test_full_drill_lifecycle_in_virtual_minutes(sb: RunningSandbox, drs: Any) -> None:
    ids = [sid(1), sid(2), sid(5)]  # two Linux, one Windows
    job = drs.start_recovery(
        sourceServers=[{"sourceServerID": i} for i in ids], isDrill=True, tags={"run": "r1"}
    )["job"]
    seen: list[tuple[str, dict[str, str]]] = []
    for _ in range(30):  # 30 x 60 s = 30 sandbox minutes, a Windows launch fits
        seen.append(_statuses(drs, job["jobID"]))
        sb.advance(60)
    job_states = [status for status, _ in seen]
    assert job_states[0] == "PENDING" and "STARTED" in job_states and job_states[-1] == "COMPLETED"
    # statuses only move forward: PENDING -> IN_PROGRESS -> LAUNCHED
    order = {"PENDING": 0, "IN_PROGRESS": 1, "LAUNCHED": 2}
    for server in ids:
        path = [order[servers[server]] for _, servers in seen]
        assert path == sorted(path) and path[-1] == 2
    # Linux servers are done long before the Windows one
    linux_done = next(i for i, (_, s) in enumerate(seen) if s[sid(1)] == "LAUNCHED")
    windows_done = next(i for i, (_, s) in enumerate(seen) if s[sid(5)] == "LAUNCHED")
    assert 3 <= linux_done <= 8 and 14 <= windows_done <= 26
    servers = drs.describe_source_servers(filters={"sourceServerIDs": ids})["items"]
    assert {s["lastLaunchResult"] for s in servers} == {"SUCCEEDED"}
    instances = drs.describe_recovery_instances(filters={"sourceServerIDs": ids})["items"]
    assert {i["isDrill"] for i in instances} == {True} and len(instances) == 3
    cleanup = drs.terminate_recovery_instances(
        recoveryInstanceIDs=[i["recoveryInstanceID"] for i in instances]
    )["job"]
    sb.advance(300)
    assert _statuses(drs, cleanup["jobID"]) == ("COMPLETED", dict.fromkeys(ids, "TERMINATED"))
    assert drs.describe_recovery_instances()["items"] == []
