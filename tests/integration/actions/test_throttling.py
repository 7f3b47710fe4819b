"""Throttled AWS calls raise StepThrottledError (moto cannot throttle: botocore's Stubber)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.errors import StepThrottledError
from drorch.ports.drs import Scope
from tests.integration.actions.conftest import REGION, step_call

PARAMS = {"source_table": "bookings", "target_table": "bookings-restored", "latest": True}


class _StubbedSession:
    """A session handing out one stubbed client (the Stubber needs the client object)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service: str, **_: Any) -> Any:
        return self._client


def _executors(code: str, status: int, headers: dict[str, str]) -> AwsStepExecutors:
    client = boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION
    ).client("dynamodb")
    stub = Stubber(client)
    stub.add_client_error(
        "describe_table",
        service_error_code=code,
        http_status_code=status,
        response_meta={"HTTPHeaders": headers},
    )
    stub.activate()

    def session_for(scope: Scope, purpose: str) -> Any:
        return _StubbedSession(client)

    return AwsStepExecutors(session_for)


@pytest.mark.parametrize(
    ("code", "status", "headers", "wait"),
    [
        ("ThrottlingException", 400, {"retry-after": "7"}, 7.0),
        ("LimitExceededException", 400, {}, 5.0),
        ("InternalServerError", 500, {}, 10.0),
    ],
)
def test_throttling_and_service_errors_are_retried_later(
    code: str, status: int, headers: dict[str, str], wait: float
) -> None:
    executor = _executors(code, status, headers).for_type("dynamodb_restore")

    with pytest.raises(StepThrottledError) as raised:
        executor.start(step_call("dynamodb_restore", PARAMS))

    assert raised.value.retry_after == wait
    assert code in str(raised.value) or str(status) in str(raised.value)
