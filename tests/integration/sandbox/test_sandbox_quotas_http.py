"""Every DRS quota as the boto3 client sees it: DRS's error types and status codes."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.sandbox import RunningSandbox, sid


def _servers(start: int, count: int) -> list[dict[str, str]]:
    return [{"sourceServerID": sid(1000 + i)} for i in range(start, start + count)]


def _error(call: Any) -> tuple[str, int, dict[str, Any]]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response


def test_more_than_100_servers_in_one_job(big: RunningSandbox) -> None:
    drs = big.client()
    code, status, _ = _error(lambda: drs.start_recovery(sourceServers=_servers(0, 101)))
    assert (code, status) == ("ServiceQuotaExceededException", 402)


def test_more_than_200_in_a_request_array_is_a_validation_error(big: RunningSandbox) -> None:
    drs = big.client()
    code, status, body = _error(lambda: drs.start_recovery(sourceServers=_servers(0, 201)))
    assert (code, status) == ("ValidationException", 400)
    assert body["fieldList"][0]["name"] == "sourceServers"
    ids = [f"i-{i:017x}" for i in range(201)]
    code, _, _ = _error(lambda: drs.terminate_recovery_instances(recoveryInstanceIDs=ids))
    assert code == "ValidationException"


def test_more_than_20_concurrent_jobs(big: RunningSandbox) -> None:
    drs = big.client()
    for i in range(20):
        drs.start_recovery(sourceServers=_servers(i, 1))
    code, status, _ = _error(lambda: drs.start_recovery(sourceServers=_servers(20, 1)))
    assert (code, status) == ("ServiceQuotaExceededException", 402)


def test_more_than_500_servers_across_active_jobs(big: RunningSandbox) -> None:
    drs = big.client()
    for i in range(5):
        drs.start_recovery(sourceServers=_servers(i * 100, 100))
    code, _, response = _error(lambda: drs.start_recovery(sourceServers=_servers(500, 1)))
    assert code == "ServiceQuotaExceededException"
    assert "500" in response["Error"]["Message"]


def test_a_server_already_in_an_active_job_conflicts(big: RunningSandbox) -> None:
    drs = big.client()
    drs.start_recovery(sourceServers=_servers(0, 1))
    code, status, response = _error(lambda: drs.start_recovery(sourceServers=_servers(0, 2)))
    assert (code, status) == ("ConflictException", 409)
    assert response["resourceId"] == sid(1000)
    big.advance(900)
    drs.start_recovery(sourceServers=_servers(0, 2))  # free again once the job completed
