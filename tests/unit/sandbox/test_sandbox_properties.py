"""Random runs of launches, terminations and clock moves keep DRS's invariants."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.sandbox import Sandbox, load_fleet
from drorch.sandbox.clock import SandboxClock
from drorch.sandbox.errors import DrsFault
from drorch.sandbox.protocol import service_model
from tests.support.drs_model import check_value
from tests.support.sandbox import ACCOUNT, REGION, sid, small_fleet

SERVERS = [sid(n) for n in range(1, 9)]
TERMINAL = {"LAUNCHED", "FAILED", "TERMINATED"}
RANK = {"PENDING": 0, "IN_PROGRESS": 1, "LAUNCHED": 2, "FAILED": 2, "TERMINATED": 2}
actions = st.one_of(
    st.tuples(st.just("launch"), st.lists(st.sampled_from(SERVERS), min_size=1, max_size=4)),
    st.tuples(st.just("terminate"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("advance"), st.integers(min_value=1, max_value=1500)),
)


def _call(sb: Sandbox, operation: str, **params: Any) -> dict[str, Any]:
    result = sb.call(operation, ACCOUNT, REGION, params)
    shape = service_model().operation_model(operation).output_shape
    assert check_value(shape, result) == [], operation
    return dict(result)


def _act(sb: Sandbox, action: tuple[str, Any]) -> None:
    kind, arg = action
    try:
        if kind == "launch":
            servers = [{"sourceServerID": s} for s in dict.fromkeys(arg)]
            _call(sb, "StartRecovery", sourceServers=servers, isDrill=True)
        elif kind == "terminate":
            items = _call(sb, "DescribeRecoveryInstances")["items"][:arg]
            if items:
                ids = [i["recoveryInstanceID"] for i in items]
                _call(sb, "TerminateRecoveryInstances", recoveryInstanceIDs=ids)
        else:
            sb.advance(arg)
    except DrsFault as fault:
        assert fault.code in ("ConflictException", "ServiceQuotaExceededException")


def _check(sb: Sandbox, seen: dict[tuple[str, str], int]) -> None:
    jobs = _call(sb, "DescribeJobs")["items"]
    active: list[str] = []
    for job in jobs:
        for part in job["participatingServers"]:
            key = (job["jobID"], part["sourceServerID"])
            rank = RANK[part["launchStatus"]]
            assert rank >= seen.get(key, 0), "launch status went backwards"
            seen[key] = rank
            if job["status"] == "COMPLETED":
                assert part["launchStatus"] in TERMINAL
            else:
                active.append(part["sourceServerID"])
    assert len(active) == len(set(active)), "a server is in two active jobs"
    instances = _call(sb, "DescribeRecoveryInstances")["items"]
    owners = [i["sourceServerID"] for i in instances]
    # A relaunch keeps the old instance until the new one is up; after that, one per server.
    settled = [o for o in owners if o not in active]
    assert len(settled) == len(set(settled)), "a server has two recovery instances"
    servers = _call(sb, "DescribeSourceServers")["items"]
    linked = {s["sourceServerID"] for s in servers if "recoveryInstanceId" in s}
    assert linked <= set(owners)


@settings(max_examples=60, deadline=None)
@given(st.lists(actions, min_size=1, max_size=12))
def test_random_runs_keep_the_invariants(steps: list[tuple[str, Any]]) -> None:
    sb = Sandbox(load_fleet(small_fleet()), clock=SandboxClock(mode="virtual"))
    seen: dict[tuple[str, str], int] = {}
    for action in steps:
        _act(sb, action)
        _check(sb, seen)
    sb.advance(3 * 3600)
    _check(sb, seen)
    assert all(j["status"] == "COMPLETED" for j in _call(sb, "DescribeJobs")["items"])
