"""Real DRS by default: what bootstrap wires when neither a sandbox nor an endpoint is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drorch.adapters.aws.drs import BotoDrsGateway
from drorch.adapters.aws.sts import StsSessions
from drorch.bootstrap import Container, bootstrap, readiness_ports
from drorch.config import Settings
from drorch.domain.accounts import AccountDraft
from drorch.errors import SessionError
from drorch.ports.drs import Scope
from drorch.services import accounts

HUB = "100000000001"
SPOKE = "200000000002"
# Nothing listens here: a call fails at once, with no network needed.
CLOSED = "http://127.0.0.1:9"


@pytest.fixture
def container(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Container]:
    # The hub's default credential chain finds these environment keys.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHUBTESTKEY000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hub-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DRS", f"{CLOSED}/drs")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"{CLOSED}/sts")
    settings = Settings(
        data_dir=tmp_path, aws_region="eu-west-1", hub_account_id=HUB, runner_enabled=False
    )
    built = bootstrap(settings)
    yield built
    built.stop()


def register(container: Container, account_id: str, regions: list[str]) -> None:
    draft = AccountDraft(name=f"spoke-{account_id}", regions=regions)
    accounts.register_account(store=container.store, account_id=account_id, draft=draft)


def test_without_sandbox_or_endpoint_drs_is_real_through_sts(container: Container) -> None:
    assert isinstance(container.drs, BotoDrsGateway)
    assert isinstance(container.sessions, StsSessions)
    assert container.account_probe is not None
    assert container.hub_accounts() == {HUB}


def test_scopes_are_the_hub_and_every_registered_account_and_region(container: Container) -> None:
    assert container.drs is not None
    assert container.drs.scopes() == [Scope(HUB, "eu-west-1")]
    register(container, SPOKE, ["us-east-1", "us-west-2"])
    assert container.drs.scopes() == [
        Scope(HUB, "eu-west-1"),
        Scope(SPOKE, "us-east-1"),
        Scope(SPOKE, "us-west-2"),
    ]


def test_the_hubs_client_uses_the_endpoint_and_region_without_sts(container: Container) -> None:
    assert isinstance(container.drs, BotoDrsGateway)
    client = container.drs.client(Scope(HUB, "eu-west-1")).client
    assert client.meta.endpoint_url == f"{CLOSED}/drs"
    assert client.meta.region_name == "eu-west-1"
    assert client._request_signer._credentials.access_key == "AKIAHUBTESTKEY000001"
    assert isinstance(container.sessions, StsSessions)
    assert container.sessions.assume_calls == 0


def test_a_spoke_client_assumes_its_role_and_names_the_account_when_that_fails(
    container: Container,
) -> None:
    register(container, SPOKE, ["us-east-1"])
    assert container.drs is not None
    with pytest.raises(SessionError) as caught:
        container.drs.client(Scope(SPOKE, "us-east-1"))
    assert caught.value.account_id == SPOKE
    assert caught.value.step == "sts:AssumeRole"
    assert f"arn:aws:iam::{SPOKE}:role/drorch-target" in caught.value.detail


def test_an_unregistered_account_gets_no_client(container: Container) -> None:
    assert container.drs is not None
    with pytest.raises(SessionError, match=r"300000000003 .* not a registered"):
        container.drs.client(Scope("300000000003", "us-east-1"))


def test_drs_can_be_switched_off(tmp_path: Path) -> None:
    built = bootstrap(Settings(data_dir=tmp_path, drs_enabled=False))
    try:
        assert built.drs is None and built.sessions is None
    finally:
        built.stop()


def test_readiness_ports_carry_the_settings_and_the_process_ports(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, readiness_lag_seconds=123, preflight_retry_seconds=4, drs_enabled=False
    )
    built = bootstrap(settings)
    try:
        built.readiness_listeners.append(lambda change, run: None)
        ports = readiness_ports(built)
        assert ports.policy.lag_seconds == 123 and ports.policy.retry.budget == 4
        assert ports.store is built.store and ports.drs is None
        assert ports.listeners is built.readiness_listeners
    finally:
        built.stop()


def test_the_container_carries_clock_engine_config_engine_and_waker(tmp_path: Path) -> None:
    from drorch.adapters.clock import ManualClock
    from drorch.adapters.storage.sqlite import SqliteStore
    from drorch.engine.runner import Runner

    clock = ManualClock()
    settings = Settings(data_dir=tmp_path, engine_lease_seconds=42.0, sandbox=False)
    drs = BotoDrsGateway.for_sandbox_endpoint(CLOSED)
    built = bootstrap(settings, store=SqliteStore(":memory:"), drs=drs, clock=clock)
    try:
        assert built.clock is clock
        assert built.engine_config.lease_seconds == 42.0
        assert built.engine is not None and built.engine.config is built.engine_config
        assert built.engine.clock is clock
        assert isinstance(built.waker, Runner) and built.waker is built.runner
    finally:
        built.stop()
