"""The embedded sandbox answered in the caller's thread: the DRS wire protocol, no socket."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from drorch.adapters.aws.drs import SANDBOX_SECRET
from drorch.adapters.aws.sandbox_transport import InProcessSandbox
from drorch.sandbox import Sandbox, create_app
from tests.support.drs_model import attach_validator
from tests.support.sandbox import KEY, NO_RETRY, REGION, sid, small_fleet

# Nothing listens on the discard port: an answer can only have come in-process.
URL = "http://127.0.0.1:9/sandbox/drs"


@pytest.fixture
def sandbox() -> Sandbox:
    """The small fleet on a virtual clock."""
    return Sandbox.open(small_fleet(), clock="virtual")


@pytest.fixture
def nearby(sandbox: Sandbox) -> InProcessSandbox:
    """The transport to that sandbox's app, with a short read timeout."""
    return InProcessSandbox(create_app(sandbox), URL, timeout=0.5)


def _drs(nearby: InProcessSandbox, key: str = KEY, url: str = URL) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=SANDBOX_SECRET, region_name=REGION
    )
    nearby.attach(session)  # before the client: clients take the session's handlers
    return session.client("drs", endpoint_url=url, config=NO_RETRY)


def test_calls_are_answered_with_no_server_and_keep_the_wire_protocol(
    sandbox: Sandbox, nearby: InProcessSandbox
) -> None:
    checked: list[str] = []
    drs = attach_validator(_drs(nearby), checked)
    listed = {s["sourceServerID"] for s in drs.describe_source_servers()["items"]}
    assert sid(1) in listed and sid(10) not in listed  # the signing key's account only
    job = drs.start_recovery(isDrill=True, sourceServers=[{"sourceServerID": sid(1)}])["job"]
    found = drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"]
    assert [j["jobID"] for j in found] == [job["jobID"]]
    assert checked == ["DescribeSourceServers", "StartRecovery", "DescribeJobs"]
    assert sandbox.calls == {"DescribeSourceServers": 1, "StartRecovery": 1, "DescribeJobs": 1}


def test_the_sandbox_refusals_arrive_as_drs_errors(nearby: InProcessSandbox) -> None:
    with pytest.raises(ClientError) as refused:
        _drs(nearby, key="SBXNOBODY").describe_jobs()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] in (401, 403)
    with pytest.raises(ClientError) as missing:
        _drs(nearby).start_recovery(sourceServers=[{"sourceServerID": sid(99)}])
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)


def test_a_call_past_the_read_timeout_times_out_and_a_droppable_one_is_never_done(
    sandbox: Sandbox, nearby: InProcessSandbox
) -> None:
    sandbox.faults.latency["StartRecovery"] = 3.0
    sandbox.faults.drop_if_gone.add("StartRecovery")
    drs = _drs(nearby)
    with pytest.raises(ReadTimeoutError):
        drs.start_recovery(isDrill=True, sourceServers=[{"sourceServerID": sid(1)}])
    sandbox.faults.latency.clear()
    assert drs.describe_jobs()["items"] == []


def test_threads_each_get_answers_of_their_own(nearby: InProcessSandbox) -> None:
    drs = _drs(nearby)
    seen: list[int] = []

    def list_servers() -> None:
        for _ in range(5):
            seen.append(len(drs.describe_source_servers()["items"]))

    threads = [threading.Thread(target=list_servers) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 20 and len(set(seen)) == 1 and seen[0] > 0


def test_requests_for_other_urls_go_out_as_usual(
    sandbox: Sandbox, nearby: InProcessSandbox
) -> None:
    with pytest.raises(EndpointConnectionError):
        _drs(nearby, url="http://127.0.0.1:9/elsewhere").describe_jobs()
    assert sandbox.calls == {}


def test_a_call_from_a_running_event_loop_is_refused_not_deadlocked(
    nearby: InProcessSandbox,
) -> None:
    drs = _drs(nearby)

    async def inside() -> None:
        drs.describe_jobs()

    with pytest.raises(RuntimeError, match="worker thread"):
        asyncio.run(inside())
