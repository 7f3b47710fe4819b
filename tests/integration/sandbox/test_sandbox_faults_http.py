"""Fault injection through the admin API, as the boto3 client experiences it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.sandbox import RunningSandbox, sid


def test_throttling_answers_throttling_exception_with_retry_after(
    sb: RunningSandbox, drs: Any
) -> None:
    response = sb.admin("POST", "faults", {"throttle": {"DescribeJobs": 1}})
    assert response.status_code == 200 and response.json()["throttle"] == {"DescribeJobs": 1}
    outcomes: list[Any] = []
    for _ in range(3):
        try:
            drs.describe_jobs()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(exc.response)
    assert outcomes[0] == "ok"
    throttled = [o for o in outcomes if o != "ok"]
    assert throttled, "a 1 request/s limit must throttle three quick calls"
    error = throttled[0]
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert int(error["ResponseMetadata"]["HTTPHeaders"]["retry-after"]) >= 1
    drs.describe_source_servers()  # other operations are not limited
    assert sb.admin("DELETE", "faults").json()["throttle"] == {}
    drs.describe_jobs()


def test_throttle_star_limits_every_operation(sb: RunningSandbox, drs: Any) -> None:
    sb.admin("POST", "faults", {"throttle": {"*": 1}})
    drs.describe_source_servers()
    with pytest.raises(drs.exceptions.ThrottlingException):
        for _ in range(3):
            drs.describe_jobs()


def test_latency_fault_is_recorded_and_calls_still_answer(sb: RunningSandbox, drs: Any) -> None:
    faults = sb.admin("POST", "faults", {"latency": {"DescribeJobs": 0.05}}).json()
    assert faults["latency"] == {"DescribeJobs": 0.05}
    assert drs.describe_jobs()["items"] == []


def test_failed_launch_fault(sb: RunningSandbox, drs: Any) -> None:
    sb.admin("POST", "faults", {"fail_launches": [sid(2)]})
    job = drs.start_recovery(
        sourceServers=[{"sourceServerID": sid(1)}, {"sourceServerID": sid(2)}]
    )["job"]
    sb.advance(900)
    done = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]
    statuses = {p["sourceServerID"]: p["launchStatus"] for p in done["participatingServers"]}
    assert statuses == {sid(1): "LAUNCHED", sid(2): "FAILED"}
    events = [i["event"] for i in drs.describe_job_log_items(jobID=job["jobID"])["items"]]
    assert "LAUNCH_FAILED" in events


def test_stalled_job_and_delete_faults(sb: RunningSandbox, drs: Any) -> None:
    job = drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}])["job"]
    sb.advance(30)
    assert sb.admin("POST", "faults", {"stall_jobs": [job["jobID"]]}).status_code == 200
    sb.advance(7200)
    assert drs.describe_jobs()["items"][0]["status"] != "COMPLETED"
    assert sb.admin("GET", "faults").json()["stalled_jobs"] == [job["jobID"]]
    cleared = sb.admin("DELETE", "faults").json()
    assert cleared["stalled_jobs"] == []
    sb.advance(900)
    assert drs.describe_jobs()["items"][0]["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "body",
    [
        {"throttle": {"NoSuchOperation": 1}},
        {"throttle": {"DescribeJobs": 0}},
        {"latency": {"*": -1}},
        {"stall_jobs": ["drsjob-00000000000000000"]},
        {"unknown": True},
        [1, 2],
    ],
)
def test_bad_fault_requests_are_refused(sb: RunningSandbox, body: Any) -> None:
    response = sb.admin("POST", "faults", body)
    assert response.status_code in (400, 404)
    assert "error" in response.json()
    assert sb.admin("GET", "faults").json()["throttle"] == {}


def test_clock_advance_and_bad_bodies(sb: RunningSandbox) -> None:
    before = sb.admin("GET", "clock").json()
    assert before["mode"] == "virtual"
    after = sb.admin("POST", "clock/advance", {"seconds": 90}).json()
    assert after["epoch"] == before["epoch"] + 90
    assert sb.admin("POST", "clock/advance", {"seconds": -5}).status_code == 400
    assert sb.admin("POST", "clock/advance", {"secs": 5}).status_code == 400


def test_accounts_list_keys_and_regions(sb: RunningSandbox) -> None:
    rows = sb.admin("GET", "accounts").json()
    assert rows[0] == {
        "account_id": "123456789012",
        "name": "test",
        "access_key": "SBXTEST",
        "regions": ["us-east-1", "us-west-2"],
    }
