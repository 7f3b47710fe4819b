"""One moto server for the action tests, reached through the real session provider.

The executors get their sessions as in production: the hub's credentials -> STS AssumeRole
(moto's STS) into the target account -> that account's clients, all pointed at moto.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
import pytest

from drorch.adapters.aws.actions import AwsStepExecutors
from drorch.adapters.aws.sessions_for import account_sessions
from drorch.adapters.aws.sts import StsSessions
from drorch.domain.accounts import TargetAccount
from drorch.ports.drs import Scope
from drorch.ports.steps import StepCall
from tests.support.moto_server import RunningMoto, running_moto

ACCOUNT = "111122223333"
REGION = "us-west-2"
SERVICES = ("dynamodb", "route53", "lambda", "cloudfront", "apigateway", "ssm", "iam", "ec2")
_ids = itertools.count(1)


@pytest.fixture(scope="package")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    """A moto server shared by every action test module."""
    with running_moto(tmp_path_factory.mktemp("moto")) as running:
        # No docker here: moto's Lambda then echoes each invocation's event back.
        httpx.post(f"{running.url}/moto-api/config", json={"lambda": {"use_docker": False}})
        yield running


def _account() -> TargetAccount:
    now = datetime.now(UTC)
    return TargetAccount(
        account_id=ACCOUNT,
        name="standby",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/drorch-target",
        regions=[REGION],
        external_id="ext-test-1",
        created_at=now,
        updated_at=now,
    )


@pytest.fixture(scope="package")
def session_for(moto: RunningMoto) -> Any:
    """Sessions as production makes them: hub keys -> moto's STS AssumeRole -> the account."""
    hub = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    sts = StsSessions(hub=hub, region=REGION, endpoint_url=moto.url)
    return account_sessions(sts, lambda: [_account()], set())


@pytest.fixture(scope="package")
def executors(moto: RunningMoto, session_for: Any) -> AwsStepExecutors:
    """The AWS executors over assumed-role sessions, every service pointed at moto."""
    return AwsStepExecutors(session_for, {service: moto.url for service in SERVICES})


@pytest.fixture(scope="package")
def aws(moto: RunningMoto, session_for: Any) -> Any:
    """Clients in the target account (as the executors see it) for arranging and checking."""
    made = session_for(Scope(ACCOUNT, REGION), "arrange")

    def client(service: str) -> Any:
        return made.client(service, region_name=REGION, endpoint_url=moto.url)

    return client


def step_call(type_name: str, params: dict[str, Any], **kw: Any) -> StepCall:
    """A call of an action step with a fresh idempotency key."""
    n = next(_ids)
    fields: dict[str, Any] = {
        # One execution for every call: one assumed session and client per service, as
        # an execution has (each key stays unique through the step's name).
        "execution_id": "ex-actions",
        "name": f"{type_name}-{n}",
        "type": type_name,
        "params": params,
        "account_id": ACCOUNT,
        "region": REGION,
        "idempotency_key": f"ex-test{n:04d}:{type_name}-{n}:1",
        "drill": False,
    }
    fields.update(kw)
    return StepCall(**fields)


def unique(prefix: str) -> str:
    """A resource name no other test uses."""
    return f"{prefix}-{next(_ids)}"
