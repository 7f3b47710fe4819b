"""Fault injection through the admin API, as the boto3 client experiences it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from tests.support.sandbox import (
    ACCOUNT,
    DR_REGION,
    OTHER_ACCOUNT,
    REGION,
    RunningSandbox,
    running_sandbox,
    sid,
    small_fleet,
)


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


def test_throttle_buckets_are_per_account_and_region(sb: RunningSandbox, drs: Any) -> None:
    sb.admin("POST", "faults", {"throttle": {"DescribeJobs": 0.001}})
    drs.describe_jobs()
    with pytest.raises(drs.exceptions.ThrottlingException):
        drs.describe_jobs()
    # The same operation in another Region and in another account has a full bucket.
    sb.client(ACCOUNT, DR_REGION).describe_jobs()
    sb.client(OTHER_ACCOUNT, REGION).describe_jobs()


def test_throttle_burst_lets_calls_pass_back_to_back(sb: RunningSandbox, drs: Any) -> None:
    body = {"throttle": {"DescribeJobs": 0.5}, "throttle_burst": {"DescribeJobs": 3}}
    faults = sb.admin("POST", "faults", body).json()
    assert faults["throttle_burst"] == {"DescribeJobs": 3}
    for _ in range(3):
        drs.describe_jobs()  # below 2/s, yet three calls in a row pass
    with pytest.raises(drs.exceptions.ThrottlingException):
        drs.describe_jobs()


def test_latency_after_loses_the_answer_but_keeps_the_job() -> None:
    with running_sandbox(small_fleet(), clock="virtual") as sb:
        sb.admin("POST", "faults", {"latency_after": {"StartRecovery": 2.0}})
        impatient = Config(retries={"total_max_attempts": 1}, read_timeout=0.5)
        with pytest.raises(ReadTimeoutError):
            sb.client(config=impatient).start_recovery(sourceServers=[{"sourceServerID": sid(1)}])
        # The answer never arrived, but the job was created before it was held back.
        jobs = sb.client().describe_jobs()["items"]
        assert [p["sourceServerID"] for p in jobs[0]["participatingServers"]] == [sid(1)]
        assert sb.stats()["launches"] == {sid(1): 1}


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
        {"latency_after": {"StartRecovery": -1}},
        {"throttle_burst": {"DescribeJobs": 0.5}},
        {"throttle_burst": {"NoSuchOperation": 2}},
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
