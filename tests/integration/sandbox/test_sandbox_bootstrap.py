"""bootstrap wires DRS: the embedded sandbox, a standalone endpoint, real DRS, or none."""

from __future__ import annotations

from pathlib import Path

import httpx

from drorch.adapters.aws.drs import BotoDrsGateway, sandbox_client
from drorch.api.app import create_app
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.ports.drs import Scope
from tests.support.drs_model import attach_validator
from tests.support.sandbox import NO_RETRY, RunningSandbox, serve_app
from tests.support.server import ADMIN, client_for, ensure_user, free_port, sign_in


def test_without_sandbox_or_endpoint_drs_is_real_and_can_be_switched_off(tmp_path: Path) -> None:
    container = bootstrap(Settings(data_dir=tmp_path, drs_enabled=True, runner_enabled=False))
    try:
        assert isinstance(container.drs, BotoDrsGateway) and container.sandbox_app is None
        assert container.drs.scopes() == []  # no account registered yet
    finally:
        container.stop()
    off = bootstrap(Settings(data_dir=tmp_path / "off", drs_enabled=False))
    try:
        assert off.drs is None and off.sandbox_app is None
    finally:
        off.stop()


def test_endpoint_setting_points_the_gateway_at_a_standalone_sandbox(
    tmp_path: Path, sb: RunningSandbox
) -> None:
    container = bootstrap(Settings(data_dir=tmp_path, drs_endpoint_url=sb.url))
    try:
        assert isinstance(container.drs, BotoDrsGateway)
        assert container.drs.scopes() == sb.scopes()
        sb.validate(container.drs.client(sb.scopes()[0]).client)
        container.drs.ping()
        assert container.sandbox_app is None
    finally:
        container.stop()


def test_embedded_sandbox_is_mounted_and_used_by_drorch(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path, port=port, sandbox=True, sandbox_clock="virtual", runner_enabled=False
    )
    container = bootstrap(settings)
    assert isinstance(container.drs, BotoDrsGateway) and container.sandbox_app is not None
    checked: list[str] = []
    admin = ensure_user(tmp_path, ADMIN, Role.ADMIN)
    with (
        serve_app(create_app(container), port=port) as url,
        client_for(url, sign_in(url, admin)) as http,
    ):
        # Clients come from STS AssumeRole (hub -> spoke), so only once the sandbox answers.
        for scope in container.drs.scopes():
            attach_validator(container.drs.client(scope).client, checked)
        synced = http.post("/api/v1/source-servers/sync")
        assert synced.status_code == 200, synced.text
        assert sum(s["servers"] for s in synced.json()["scopes"]) == 33
        clock = httpx.post(f"{url}/sandbox/drs/_sandbox/clock/advance", json={"seconds": 60})
        assert clock.json()["mode"] == "virtual"
        health = httpx.get(f"{url}/health").json()
        assert health["checks"]["drs"] == {"status": "ok"}
        _tags_through_the_mount(f"{url}/sandbox/drs", checked)
    assert checked.count("DescribeSourceServers") == 5 and "TagResource" in checked
    scopes = container.drs.scopes()
    assert Scope("111122223333", "us-east-1") in scopes and len(scopes) == 4


def test_the_embedded_sandbox_is_reached_in_process_with_nothing_listening(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        port=free_port(),  # never bound: no HTTP server runs in this test
        sandbox=True,
        sandbox_clock="virtual",
        runner_enabled=False,
    )
    container = bootstrap(settings)
    try:
        sandbox = container.sandbox_app.state.sandbox
        scope = Scope("111122223333", "us-east-1")
        servers = container.drs.client(scope).describe_source_servers()
        assert servers and {s.account_id for s in servers} == {"111122223333"}
        assert sandbox.calls["DescribeSourceServers"] >= 1
        assert sandbox.sts.issued  # hub -> spoke: the session came from its STS, in-process too
    finally:
        container.stop()


def _tags_through_the_mount(endpoint: str, checked: list[str]) -> None:
    """ARN labels arrive percent-encoded below the mount prefix and still resolve."""
    drs = attach_validator(sandbox_client(endpoint, "SBXPAYROLL", "us-west-2", NO_RETRY), checked)
    arn = drs.describe_source_servers()["items"][0]["arn"]
    drs.tag_resource(resourceArn=arn, tags={"Drill": "yes"})
    assert drs.list_tags_for_resource(resourceArn=arn)["tags"]["Drill"] == "yes"
    drs.untag_resource(resourceArn=arn, tagKeys=["Drill"])
    assert "Drill" not in drs.list_tags_for_resource(resourceArn=arn)["tags"]


def test_engine_timings_come_from_the_settings(tmp_path: Path, sb: RunningSandbox) -> None:
    settings = Settings(
        data_dir=tmp_path,
        drs_endpoint_url=sb.url,
        engine_lease_seconds=7,
        engine_launch_grace_seconds=120,
    )
    container = bootstrap(settings)
    try:
        # The runner is one of the background workers (the notifier and scheduler are others).
        runner = container.runner
        assert runner in container.background and container.notifier in container.background
        config = runner.engine.config  # type: ignore[attr-defined]
        assert (config.lease_seconds, config.reconcile_grace) == (7, 120)
    finally:
        container.stop()
