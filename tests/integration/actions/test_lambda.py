"""`lambda_alias` and `invoke_lambda` against moto over HTTP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.ports.steps import StepState
from tests.integration.actions.conftest import step_call, unique
from tests.support.moto_server import RunningMoto


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def _function(aws: Any, versions: int = 2) -> str:
    name = unique("bookings-api")
    role = aws("iam").create_role(RoleName=unique("role"), AssumeRolePolicyDocument="{}")
    lam = aws("lambda")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="index.handler",
        Code={"ZipFile": _zip()},
    )
    for i in range(versions):
        lam.update_function_code(FunctionName=name, ZipFile=_zip() + bytes(i))
        lam.publish_version(FunctionName=name)
    if versions:
        lam.create_alias(FunctionName=name, Name="live", FunctionVersion=str(versions))
    return name


@contextmanager
def _docker_lambda(moto: RunningMoto) -> Iterator[None]:
    """moto's docker-run Lambda for the block (without docker its invocations fail)."""
    httpx.post(f"{moto.url}/moto-api/config", json={"lambda": {"use_docker": True}})
    try:
        yield
    finally:
        httpx.post(f"{moto.url}/moto-api/config", json={"lambda": {"use_docker": False}})


def _alias(aws: Any, name: str) -> str:
    return str(aws("lambda").get_alias(FunctionName=name, Name="live")["FunctionVersion"])


def test_alias_rolls_back_and_undo_points_it_at_the_previous_version(
    executors: AwsStepExecutors, aws: Any
) -> None:
    name = _function(aws)
    call = step_call("lambda_alias", {"function_name": name, "alias": "live", "version": "1"})
    executor = executors.for_type("lambda_alias")

    done = executor.start(call)

    assert done.state == StepState.SUCCEEDED, done
    assert _alias(aws, name) == "1"
    assert done.changed["previous_version"] == "2"
    assert executor.undo(call, done.changed).state == StepState.SUCCEEDED
    assert _alias(aws, name) == "2"


def test_alias_after_a_crash_remembers_the_version_before_drorch(
    executors: AwsStepExecutors, aws: Any
) -> None:
    name = _function(aws)
    call = step_call("lambda_alias", {"function_name": name, "alias": "live", "version": "1"})
    executor = executors.for_type("lambda_alias")
    assert executor.reconcile(call) is None

    executor.start(call)
    found = executor.reconcile(call)
    again = executor.start(call)

    assert found is not None and found.changed["previous_version"] == "2"
    assert again.changed["previous_version"] == "2"


def test_alias_of_a_missing_function_fails_with_the_aws_code(
    executors: AwsStepExecutors,
) -> None:
    params = {"function_name": unique("gone"), "alias": "live", "version": "1"}

    progress = executors.for_type("lambda_alias").start(step_call("lambda_alias", params))

    assert progress.state == StepState.FAILED
    assert progress.error_code == "ResourceNotFoundException"


def test_invoke_returns_the_answer_and_tells_the_hook_its_key(
    executors: AwsStepExecutors, aws: Any
) -> None:
    name = _function(aws, versions=0)
    call = step_call("invoke_lambda", {"function_name": name, "payload": {"check": "bookings"}})

    progress = executors.for_type("invoke_lambda").start(call)

    assert progress.state == StepState.SUCCEEDED, progress
    echoed = json.loads(progress.output["response"])  # moto without docker echoes the event
    assert echoed["check"] == "bookings"
    assert echoed["drorch"]["idempotency_key"] == call.idempotency_key
    assert progress.changed == {}


def test_invoke_fails_the_step_on_a_function_error(
    executors: AwsStepExecutors, aws: Any, moto: RunningMoto
) -> None:
    with _docker_lambda(moto):  # no docker here: moto reports a Handled function error
        name = _function(aws, versions=0)
        progress = executors.for_type("invoke_lambda").start(
            step_call("invoke_lambda", {"function_name": name})
        )

    assert progress.state == StepState.FAILED
    assert progress.error_code == "FunctionError.Handled"
    assert progress.error_message
