"""One container per warm Lambda, built from the settings; DRORCH_DRIVER picks the waker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from drorch.adapters.aws.stepfunctions import StepFunctionsDriver
from drorch.engine.runner import Runner
from drorch.lambdas import runtime


@pytest.fixture
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings = {
        "DRORCH_DATA_DIR": str(tmp_path),
        "DRORCH_DRS_ENDPOINT_URL": "http://127.0.0.1:9",  # never called while building
        "DRORCH_DRIVER": "stepfunctions",
        "DRORCH_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:d",
        "DRORCH_JWT_SECRET": "a-jwt-secret-for-the-runtime-unit-test",
        "DRORCH_CURSOR_SECRET": "a-cursor-secret",
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    yield
    runtime.reset()


def test_the_container_is_built_once_per_warm_lambda_and_again_after_a_reset(
    lambda_env: None,
) -> None:
    first = runtime.container()
    assert runtime.container() is first
    runtime.reset()
    assert runtime.container() is not first


def test_step_functions_drives_the_engine_and_no_runner_is_built(lambda_env: None) -> None:
    box = runtime.container()
    assert box.engine is not None  # the Advance task calls it
    assert isinstance(box.waker, StepFunctionsDriver)
    assert box.runner is None
    assert not any(isinstance(worker, Runner) for worker in box.background)
    assert box.settings.stream_snapshot is True  # API Gateway buffers whole answers


def test_the_local_runner_stays_the_default(
    lambda_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRORCH_DRIVER")
    box = runtime.container()
    assert isinstance(box.waker, Runner) and box.runner is box.waker


def test_a_published_handler_prints_its_metrics_as_emf_after_each_call(
    lambda_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DRORCH_METRICS_EMF", "true")
    monkeypatch.setenv("DRORCH_METRICS_ENVIRONMENT", "prod")

    def failing(event: dict[str, str], context: object) -> str:
        box = runtime.container()
        box.metrics.aws_call("drs", "DescribeJobs", None)
        raise RuntimeError(event["fail"])  # a failing invocation still publishes

    handler = runtime.published(failing)

    with pytest.raises(RuntimeError, match="boom"):
        handler({"fail": "boom"}, None)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    calls = next(d for d in lines if "AwsCalls" in d)
    assert calls["AwsCalls"] == 1 and calls["Environment"] == "prod"
    assert calls["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "drorch"
