"""`serve --sandbox` runs moto in-process, seeded for the runbook plans, behind the actions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drorch.api.app import create_app
from drorch.bootstrap import Container, bootstrap
from drorch.config import Settings
from drorch.ports.steps import StepCall, StepProgress, StepState
from drorch.sandbox import aws_seed
from tests.support.sandbox import serve_app
from tests.support.server import free_port

ACCOUNT, OTHER = "111122223333", "444455556666"  # the demo fleet's accounts
PRIMARY, STANDBY = "us-east-1", "us-west-2"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """The app as `drorch serve --sandbox` builds it, served (and so started) on 127.0.0.1."""
    port = free_port()
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("moto-serve"),
        port=port,
        sandbox=True,
        sandbox_clock="virtual",
        sandbox_aws=True,
        runner_enabled=False,
    )
    built = bootstrap(settings)
    with serve_app(create_app(built), port=port):
        assert built.aws_endpoint.seeded.wait(60) and built.aws_endpoint.seed_error is None
        yield built


def _call(type_name: str, params: dict[str, Any], **kw: Any) -> StepCall:
    fields: dict[str, Any] = {
        "execution_id": "ex-embedded",
        "name": type_name,
        "type": type_name,
        "params": params,
        "account_id": ACCOUNT,
        "region": PRIMARY,
        "idempotency_key": f"ex-embedded:{type_name}:{sorted(params.items())}",
        "drill": True,
    }
    return StepCall(**{**fields, **kw})


def _run(container: Container, call: StepCall) -> StepProgress:
    executor = container.steps.for_type(call.type)
    progress = executor.start(call)
    for _ in range(5):
        if progress.state != StepState.RUNNING:
            break
        progress = executor.poll(call, progress)
    return progress


def test_moto_runs_on_localhost_seeded_with_the_demo_resources(container: Container) -> None:
    sandbox = container.sandbox_app.state.sandbox
    seeded = sandbox.aws_seeded

    assert container.aws_endpoint.url.startswith("http://127.0.0.1:")
    assert (seeded.account_id, seeded.standby_region) == (ACCOUNT, STANDBY)
    assert aws_seed.VERIFY_DOCUMENT in sandbox.ssm.documents


def test_the_bookings_failover_steps_run_against_the_seeded_resources(
    container: Container,
) -> None:
    seeded = container.sandbox_app.state.sandbox.aws_seeded
    restore = _call(
        "dynamodb_restore",
        {"source_table": "bookings", "target_table": "bookings-dr", "latest": True},
        region=STANDBY,
    )
    switch = _call(
        "route53_change",
        {
            "zone_id": seeded.zone_id,
            "record_name": aws_seed.API_RECORD,
            "record_type": "CNAME",
            "values": [aws_seed.STANDBY_ENDPOINT],
        },
    )
    cdn = _call("cloudfront_invalidate", {"distribution_id": seeded.distribution_id})
    alias = _call(
        "lambda_alias", {"function_name": aws_seed.FUNCTION, "alias": "live", "version": "1"}
    )

    restored, switched = _run(container, restore), _run(container, switch)

    assert restored.state == StepState.SUCCEEDED and restored.output["item_count"] == 5
    assert switched.state == StepState.SUCCEEDED
    previous = switched.changed["previous"]["ResourceRecords"]
    assert previous == [{"Value": aws_seed.PRIMARY_ENDPOINT}]
    assert _run(container, cdn).state == StepState.SUCCEEDED
    assert _run(container, alias).changed["previous_version"] == "2"


def test_the_gift_tracker_steps_and_the_sandbox_automation(container: Container) -> None:
    sandbox = container.sandbox_app.state.sandbox
    seeded = sandbox.aws_seeded
    stop = _call(
        "api_gateway_access",
        {"rest_api_id": seeded.rest_api_id, "stage": aws_seed.STAGE, "mode": "stop"},
    )
    verify = _call(
        "ssm_automation",
        {"document_name": aws_seed.VERIFY_DOCUMENT, "parameters": {"Table": ["gifts-restored"]}},
    )

    stopped = _run(container, stop)
    executor = container.steps.for_type("ssm_automation")
    started = executor.start(verify)
    sandbox.advance(61)
    verified = executor.poll(verify, started)

    expected = {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 50}
    assert stopped.state == StepState.SUCCEEDED and stopped.changed["previous"] == expected
    assert started.state == StepState.RUNNING, started
    assert verified.state == StepState.SUCCEEDED


def test_moto_keeps_the_fleet_accounts_apart(container: Container) -> None:
    other = _call(
        "dynamodb_restore",
        {"source_table": "bookings", "target_table": "bookings-elsewhere", "latest": True},
        account_id=OTHER,
        region=STANDBY,
    )

    progress = container.steps.for_type("dynamodb_restore").start(other)

    assert progress.state == StepState.FAILED
    assert progress.error_code == "SourceTableNotFoundException"


def test_a_real_aws_setup_builds_executors_without_endpoints(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, runner_enabled=False, sandbox_aws=True)
    built = bootstrap(settings)
    try:
        assert built.aws_endpoint is None  # moto only ever runs with the sandbox
        assert built.steps is not None
        assert "dynamodb_restore" in built.steps.types()
    finally:
        built.stop()
