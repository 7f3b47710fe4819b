"""Every DRS quota, with DRS's own error types."""

from __future__ import annotations

from typing import Any

import pytest

from drorch.sandbox import Sandbox, load_fleet
from drorch.sandbox.clock import SandboxClock
from drorch.sandbox.errors import Conflict, NotFound, QuotaExceeded, Validation
from drorch.sandbox.protocol import check_input, service_model
from tests.support.sandbox import ACCOUNT, REGION, many_servers, sid


@pytest.fixture
def big() -> Sandbox:
    """700 Linux servers in one account and Region."""
    return Sandbox(load_fleet(many_servers(700)), clock=SandboxClock(mode="virtual"))


def _start(sb: Sandbox, ids: list[str]) -> dict[str, Any]:
    params = {"sourceServers": [{"sourceServerID": i} for i in ids], "isDrill": True}
    return dict(sb.call("StartRecovery", ACCOUNT, REGION, params)["job"])


def _ids(start: int, count: int) -> list[str]:
    return [sid(1000 + i) for i in range(start, start + count)]


def test_one_job_takes_at_most_100_servers(big: Sandbox) -> None:
    assert len(_start(big, _ids(0, 100))["participatingServers"]) == 100
    with pytest.raises(QuotaExceeded, match="at most 100"):
        _start(big, _ids(100, 101))


def test_at_most_20_jobs_run_at_once(big: Sandbox) -> None:
    for i in range(20):
        _start(big, _ids(i, 1))
    with pytest.raises(QuotaExceeded, match="20"):
        _start(big, _ids(20, 1))
    big.advance(900)  # all jobs complete, capacity returns
    _start(big, _ids(20, 1))


def test_at_most_500_servers_across_active_jobs(big: Sandbox) -> None:
    for i in range(5):
        _start(big, _ids(i * 100, 100))
    with pytest.raises(QuotaExceeded, match="500"):
        _start(big, _ids(500, 1))


def test_a_server_takes_part_in_one_active_job(big: Sandbox) -> None:
    _start(big, _ids(0, 2))
    with pytest.raises(Conflict) as caught:
        _start(big, _ids(1, 2))
    assert caught.value.fields["resourceId"] == sid(1001)


def test_terminate_counts_against_the_job_quotas(big: Sandbox) -> None:
    _start(big, _ids(0, 1))
    big.advance(900)
    instance = big.call("DescribeRecoveryInstances", ACCOUNT, REGION, {})["items"][0]
    for i in range(20):
        _start(big, _ids(10 + i, 1))
    with pytest.raises(QuotaExceeded):
        big.call(
            "TerminateRecoveryInstances",
            ACCOUNT,
            REGION,
            {"recoveryInstanceIDs": [instance["recoveryInstanceID"]]},
        )


def test_terminating_an_instance_twice_at_once_conflicts(sandbox: Sandbox, call: Any) -> None:
    call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}])
    sandbox.advance(900)
    iid = call("DescribeRecoveryInstances")["items"][0]["recoveryInstanceID"]
    call("TerminateRecoveryInstances", recoveryInstanceIDs=[iid])
    with pytest.raises(Conflict):
        call("TerminateRecoveryInstances", recoveryInstanceIDs=[iid])


def test_request_arrays_over_200_are_validation_errors() -> None:
    op = service_model().operation_model("StartRecovery")
    params = {"sourceServers": [{"sourceServerID": sid(i)} for i in range(201)]}
    with pytest.raises(Validation) as caught:
        check_input(op, params)
    assert caught.value.fields["fieldList"][0]["name"] == "sourceServers"
    terminate = service_model().operation_model("TerminateRecoveryInstances")
    with pytest.raises(Validation):
        check_input(terminate, {"recoveryInstanceIDs": [f"i-{i:017x}" for i in range(201)]})


def test_duplicates_and_unknown_servers_are_refused(sandbox: Sandbox, call: Any) -> None:
    with pytest.raises(Validation, match="more than once"):
        call("StartRecovery", sourceServers=[{"sourceServerID": sid(1)}] * 2)
    with pytest.raises(NotFound):
        call("StartRecovery", sourceServers=[{"sourceServerID": sid(999)}])
    with pytest.raises(NotFound):
        call("TerminateRecoveryInstances", recoveryInstanceIDs=["i-00000000000000001"])
