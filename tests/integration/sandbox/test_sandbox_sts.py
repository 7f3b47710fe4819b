"""The sandbox STS over HTTP: trust enforced, keys mapped to one account, refresh, throttling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from drorch.adapters.aws.sts import StsSessions
from drorch.errors import SessionError
from drorch.ports.sessions import AccountAccess
from tests.support.sandbox import (
    ACCOUNT,
    NO_RETRY,
    OTHER_ACCOUNT,
    REGION,
    RunningSandbox,
    reset_and_checked,
    sid,
)

ROLE = f"arn:aws:iam::{ACCOUNT}:role/drorch-target"
EXTERNAL_ID = "drorch-test-external-id-1"


@pytest.fixture
def sb(served: RunningSandbox) -> Iterator[RunningSandbox]:
    """The module's sandbox, reset, with the test account's spoke role deployed."""
    with reset_and_checked(served) as sandbox:
        trust(sandbox, ACCOUNT, EXTERNAL_ID)
        yield sandbox


def trust(sb: RunningSandbox, account: str, external_id: str, role: str | None = None) -> None:
    """Record the external id the account's role trusts (as deploying the template does)."""
    body = {"external_id": external_id, "role_arn": role}
    response = sb.admin("PUT", f"accounts/{account}/trust", body)
    assert response.status_code == 200, response.text


def hub(region: str = REGION) -> Any:
    return boto3.session.Session(
        aws_access_key_id="AKIAHUBKEY0000000001",
        aws_secret_access_key="hub-secret",
        region_name=region,
    )


def sts(sb: RunningSandbox) -> Any:
    return hub().client("sts", endpoint_url=sb.url, config=NO_RETRY)


def assume(sb: RunningSandbox, external_id: str, role: str = ROLE) -> dict[str, Any]:
    answer: dict[str, Any] = sts(sb).assume_role(
        RoleArn=role, RoleSessionName="drorch-test", ExternalId=external_id
    )
    return answer


def drs_with(sb: RunningSandbox, credentials: dict[str, Any], region: str = REGION) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )
    return sb.validate(session.client("drs", endpoint_url=sb.url, config=NO_RETRY))


def sandbox_now(sb: RunningSandbox) -> datetime:
    return datetime.fromtimestamp(sb.sandbox.clock.now(), UTC)


def test_the_right_external_id_gets_keys_that_act_as_that_account_only(
    sb: RunningSandbox,
) -> None:
    answer = assume(sb, EXTERNAL_ID)
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"].endswith("assumed-role/drorch-target/drorch-test")
    ttl = (credentials["Expiration"] - sandbox_now(sb)).total_seconds()
    assert 3590 <= ttl <= 3600
    servers = drs_with(sb, credentials).describe_source_servers()["items"]
    ids = {s["sourceServerID"] for s in servers}
    assert sid(1) in ids and sid(10) not in ids  # server 10 is the other account's
    assert {s["arn"].split(":")[4] for s in servers} == {ACCOUNT}
    calls = sb.admin("GET", "calls").json()
    assert calls[-1] == {
        "operation": "DescribeSourceServers",
        "account": ACCOUNT,
        "region": REGION,
        "key": credentials["AccessKeyId"],
    }


@pytest.mark.parametrize(
    ("external_id", "role"),
    [
        ("drorch-someone-elses-id", ROLE),
        (EXTERNAL_ID, f"arn:aws:iam::{ACCOUNT}:role/another-role"),
        (EXTERNAL_ID, f"arn:aws:iam::{OTHER_ACCOUNT}:role/drorch-target"),  # no trust there yet
        (EXTERNAL_ID, "arn:aws:iam::999999999999:role/drorch-target"),  # not in the fleet
    ],
)
def test_a_wrong_external_id_or_role_is_access_denied(
    sb: RunningSandbox, external_id: str, role: str
) -> None:
    with pytest.raises(ClientError) as caught:
        assume(sb, external_id, role)
    error = caught.value.response
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert role in error["Error"]["Message"]


def test_expired_keys_are_refused_and_the_provider_refreshes_before_expiry(
    sb: RunningSandbox,
) -> None:
    sessions = StsSessions(hub=hub(), endpoint_url=sb.url, now=lambda: sandbox_now(sb))
    access = AccountAccess(ACCOUNT, ROLE, EXTERNAL_ID)
    session = sessions.session(access, purpose="exec-1")
    client = sb.validate(session.client("drs", endpoint_url=sb.url, config=NO_RETRY))
    client.describe_jobs()
    first = session.get_credentials().get_frozen_credentials().access_key
    old = assume(sb, EXTERNAL_ID)["Credentials"]  # a second session, never refreshed
    sb.advance(50 * 60)  # inside the refresh window of the provider's session
    client.describe_jobs()
    second = session.get_credentials().get_frozen_credentials().access_key
    assert second != first and sessions.assume_calls == 2
    sb.advance(11 * 60)  # past the hour: keys not refreshed are dead
    with pytest.raises(ClientError) as caught:
        drs_with(sb, old).describe_jobs()
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "expired" in caught.value.response["Error"]["Message"]
    client.describe_jobs()
    keys = [c["key"] for c in sb.admin("GET", "calls").json()]
    assert keys[:2] == [first, second] and keys[-1] != first


def test_throttled_sts_is_retried_by_the_provider(sb: RunningSandbox) -> None:
    faults = {"throttle": {"AssumeRole": 0.5}, "throttle_burst": {"AssumeRole": 1}}
    assert sb.admin("POST", "faults", faults).status_code == 200
    assume(sb, EXTERNAL_ID)  # takes the one token the bucket holds
    with pytest.raises(ClientError) as caught:
        assume(sb, EXTERNAL_ID)
    assert caught.value.response["Error"]["Code"] == "Throttling"
    slept: list[float] = []

    def wait(seconds: float) -> None:
        slept.append(seconds)
        sb.admin("DELETE", "faults")  # the rate recovers while the provider backs off

    sessions = StsSessions(hub=hub(), endpoint_url=sb.url, sleep=wait)
    session = sessions.session(AccountAccess(ACCOUNT, ROLE, EXTERNAL_ID), purpose="exec-2")
    assert session.get_credentials().access_key.startswith("ASIA")
    assert len(slept) == 1 and sessions.assume_calls == 2


def test_a_refused_role_names_the_account_and_step_through_the_provider(
    sb: RunningSandbox,
) -> None:
    sessions = StsSessions(hub=hub(), endpoint_url=sb.url)
    wrong = AccountAccess(ACCOUNT, ROLE, "drorch-wrong")
    with pytest.raises(SessionError) as caught:
        sessions.session(wrong, purpose="verify-alice")
    assert caught.value.account_id == ACCOUNT and caught.value.step == "sts:AssumeRole"
    assert caught.value.code == "AccessDenied"
