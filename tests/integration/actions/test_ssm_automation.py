"""`ssm_automation` against the sandbox's SSM Automation over HTTP (moto lacks it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.adapters.aws.sessions_for import sandbox_key_sessions
from drorch.ports.steps import StepCall, StepState
from drorch.sandbox.ssm import AutomationDocument
from tests.integration.actions.conftest import step_call
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, running_sandbox, small_fleet


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    """A virtual-clock sandbox with two registered Automation documents."""
    with running_sandbox(small_fleet(), clock="virtual") as running:
        running.sandbox.ssm.register(AutomationDocument("RepairBookings", seconds=120))
        running.sandbox.ssm.register(AutomationDocument("BrokenRepair", seconds=10, fails=True))
        yield running


@pytest.fixture(scope="module")
def executors(sb: RunningSandbox) -> AwsStepExecutors:
    """Executors whose SSM Automation calls reach the sandbox, signed with its keys."""
    return AwsStepExecutors(
        sandbox_key_sessions(sb.access_key), endpoints={"ssm_automation": sb.url}
    )


def _call(document: str, **kw: Any) -> StepCall:
    params = {"document_name": document, "parameters": {"Table": ["bookings"]}}
    return step_call("ssm_automation", params, account_id=ACCOUNT, region=REGION, **kw)


def test_runs_until_success_on_the_sandbox_clock(
    sb: RunningSandbox, executors: AwsStepExecutors
) -> None:
    call = _call("RepairBookings")
    executor = executors.for_type("ssm_automation")

    started = executor.start(call)
    midway = executor.poll(call, started)
    sb.advance(121)
    done = executor.poll(call, midway)

    assert started.state == midway.state == StepState.RUNNING
    assert midway.output["status"] == "InProgress"
    assert done.state == StepState.SUCCEEDED and done.output["status"] == "Success"


def test_a_failing_document_and_an_unknown_one_fail_with_codes(
    sb: RunningSandbox, executors: AwsStepExecutors
) -> None:
    executor = executors.for_type("ssm_automation")
    call = _call("BrokenRepair")

    started = executor.start(call)
    sb.advance(11)
    ended = executor.poll(call, started)
    unknown = executor.start(_call("NoSuchRunbook"))

    assert ended.state == StepState.FAILED and ended.error_code == "AutomationFailed"
    assert unknown.state == StepState.FAILED
    assert unknown.error_code == "AutomationDefinitionNotFoundException"


def test_a_crashed_start_is_found_by_its_tag_and_not_started_twice(
    sb: RunningSandbox, executors: AwsStepExecutors
) -> None:
    call = _call("RepairBookings")
    executor = executors.for_type("ssm_automation")
    assert executor.reconcile(call) is None

    first = executor.start(call)
    found = executor.reconcile(call)
    again = executor.start(call)

    ident = first.output["automation_execution_id"]
    assert found is not None and found.output["automation_execution_id"] == ident
    assert again.output["automation_execution_id"] == ident
    runs = sb.sandbox.ssm.runs[(ACCOUNT, REGION)]
    assert [r.id for r in runs.values() if r.tags == runs[ident].tags] == [ident]


def test_simulate_checks_the_document_and_starts_nothing(
    sb: RunningSandbox, executors: AwsStepExecutors
) -> None:
    before = len(sb.sandbox.ssm.runs.get((ACCOUNT, REGION), {}))
    executor = executors.for_type("ssm_automation")

    seen = executor.start(_call("RepairBookings", simulate=True))
    missing = executor.start(_call("NoSuchRunbook", simulate=True))

    assert seen.state == StepState.SUCCEEDED
    assert missing.state == StepState.FAILED and missing.error_code == "InvalidDocument"
    assert len(sb.sandbox.ssm.runs.get((ACCOUNT, REGION), {})) == before
