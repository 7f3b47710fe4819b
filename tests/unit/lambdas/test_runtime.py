"""One container per warm Lambda, built from the settings; DRORCH_DRIVER picks the waker."""

from __future__ import annotations

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
