"""`ssm_command` against moto over HTTP: every invocation, refusal, crash and reconcile."""

from __future__ import annotations

import itertools
from typing import Any

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.ports.steps import StepState
from tests.integration.actions.conftest import step_call

_serial = itertools.count(0xA0000)
PARAMS = {"document_name": "AWS-RunShellScript", "parameters": {"commands": ["systemctl status"]}}


def _instances(aws: Any, count: int) -> list[str]:
    # moto's SendCommand takes any instance ids; EC2's image list would cost seconds.
    return [f"i-{next(_serial):017x}" for _ in range(count)]


def test_waits_for_every_invocation_of_the_resolved_instances(
    executors: AwsStepExecutors, aws: Any
) -> None:
    ids = _instances(aws, 2)
    # The engine passes the wave's recovered instances in instance_ids.
    call = step_call("ssm_command", {**PARAMS, "recovered_instances": True, "instance_ids": ids})
    executor = executors.for_type("ssm_command")

    started = executor.start(call)
    done = executor.poll(call, started)

    assert started.state == StepState.RUNNING
    assert done.state == StepState.SUCCEEDED, done
    assert set(done.output["invocations"]) == set(ids)
    assert set(done.output["invocations"].values()) == {"Success"}


def test_a_crashed_send_is_found_by_its_comment_and_not_sent_twice(
    executors: AwsStepExecutors, aws: Any
) -> None:
    ids = _instances(aws, 1)
    call = step_call("ssm_command", {**PARAMS, "instance_ids": ids})
    executor = executors.for_type("ssm_command")
    assert executor.reconcile(call) is None

    first = executor.start(call)
    found = executor.reconcile(call)
    again = executor.start(call)

    assert found is not None and found.output["command_id"] == first.output["command_id"]
    assert again.output["command_id"] == first.output["command_id"]
    commands = aws("ssm").list_commands()["Commands"]
    comment = next(c["Comment"] for c in commands if c["CommandId"] == first.output["command_id"])
    assert [c["Comment"] for c in commands].count(comment) == 1
