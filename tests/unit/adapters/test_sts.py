"""The STS session provider: the exact AssumeRole it sends, caching, refresh, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from drorch.adapters.aws.sts import StsSessions, session_name
from drorch.errors import SessionError
from drorch.ports.sessions import AccountAccess

ACCESS = AccountAccess("123456789012", "arn:aws:iam::123456789012:role/drorch-target", "ext-1")
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class VirtualClock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def hub() -> Any:
    return boto3.session.Session(
        aws_access_key_id="HUBKEY", aws_secret_access_key="hub-secret", region_name="us-east-1"
    )


def answer(n: int, expires: datetime) -> dict[str, Any]:
    return {
        "Credentials": {
            "AccessKeyId": f"ASIAKEY{n:012d}",
            "SecretAccessKey": f"secret-{n}",
            "SessionToken": f"token-{n}",
            "Expiration": expires,
        }
    }


def expected(name: str = "drorch-exec-1") -> dict[str, Any]:
    return {
        "RoleArn": ACCESS.role_arn,
        "RoleSessionName": name,
        "ExternalId": ACCESS.external_id,
        "DurationSeconds": 3600,
    }


def provider(clock: VirtualClock, **kwargs: Any) -> tuple[StsSessions, Stubber]:
    client = hub().client("sts", region_name="us-east-1")
    sleeps: list[float] = []
    sessions = StsSessions(hub=hub(), sts_client=client, now=clock, sleep=sleeps.append, **kwargs)
    return sessions, Stubber(client)


def test_assume_role_sends_the_accounts_role_external_id_and_a_named_session() -> None:
    clock = VirtualClock()
    sessions, stub = provider(clock)
    stub.add_response("assume_role", answer(1, START + timedelta(hours=1)), expected())
    with stub:
        session = sessions.session(ACCESS, purpose="exec-1")
        frozen = session.get_credentials().get_frozen_credentials()
    stub.assert_no_pending_responses()
    assert (frozen.access_key, frozen.token) == ("ASIAKEY000000000001", "token-1")


def test_sessions_are_cached_and_refreshed_before_they_expire() -> None:
    clock = VirtualClock()
    sessions, stub = provider(clock)
    stub.add_response("assume_role", answer(1, START + timedelta(hours=1)), expected())
    stub.add_response("assume_role", answer(2, START + timedelta(hours=2)), expected())
    with stub:
        first = sessions.session(ACCESS, purpose="exec-1")
        assert sessions.session(ACCESS, purpose="exec-1") is first
        clock.now = START + timedelta(minutes=30)  # far from expiry: the same keys
        assert first.get_credentials().get_frozen_credentials().access_key == "ASIAKEY000000000001"
        clock.now = START + timedelta(minutes=50)  # inside botocore's refresh window
        assert first.get_credentials().get_frozen_credentials().access_key == "ASIAKEY000000000002"
    stub.assert_no_pending_responses()
    assert sessions.assume_calls == 2


def test_throttled_assume_role_is_retried_with_backoff() -> None:
    clock = VirtualClock()
    sessions, stub = provider(clock, attempts=3)
    stub.add_client_error("assume_role", "Throttling", "Rate exceeded", 400)
    stub.add_client_error("assume_role", "Throttling", "Rate exceeded", 400)
    stub.add_response("assume_role", answer(3, START + timedelta(hours=1)), expected())
    with stub:
        session = sessions.session(ACCESS, purpose="exec-1")
    assert session.get_credentials().get_frozen_credentials().access_key == "ASIAKEY000000000003"
    assert sessions.assume_calls == 3


def test_throttling_past_the_attempts_is_a_session_error() -> None:
    sessions, stub = provider(VirtualClock(), attempts=2)
    for _ in range(2):
        stub.add_client_error("assume_role", "Throttling", "Rate exceeded", 400)
    with stub, pytest.raises(SessionError) as caught:
        sessions.session(ACCESS, purpose="exec-1")
    assert caught.value.code == "Throttling"


def test_a_refused_assume_role_names_the_account_role_and_step() -> None:
    sessions, stub = provider(VirtualClock())
    stub.add_client_error("assume_role", "AccessDenied", "not authorized", 403)
    with stub, pytest.raises(SessionError) as caught:
        sessions.session(ACCESS, purpose="exec-1")
    error = caught.value
    assert (error.account_id, error.step, error.code) == (
        ACCESS.account_id,
        "sts:AssumeRole",
        "AccessDenied",
    )
    assert ACCESS.role_arn in error.detail and "ExternalId" in error.detail
    assert error.status == 424


def test_the_hub_session_is_the_default_chain_and_needs_no_sts() -> None:
    sessions, stub = provider(VirtualClock())
    with stub:
        session = sessions.session(None, purpose="sync")
    assert session.get_credentials().access_key == "HUBKEY"
    assert sessions.assume_calls == 0


def test_session_names_keep_to_the_allowed_characters_and_length() -> None:
    assert session_name("verify-alice smith/ops") == "drorch-verify-alice-smith-ops"
    assert len(session_name("x" * 200)) == 64
