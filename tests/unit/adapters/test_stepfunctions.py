"""The Step Functions waker: the exact calls it makes for each stored state, and its errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from drorch.adapters.aws.stepfunctions import WOKEN, StepFunctionsDriver
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.statuses import ExecutionStatus
from drorch.engine.drivers.stepfunctions import loop_input
from drorch.errors import DriverError
from tests.unit.engine.factory import execution

ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:drorch-driver"


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


@pytest.fixture(scope="module")
def client() -> Any:
    # One client for the module (making one costs more than the tests); a Stubber per test.
    return boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).client("stepfunctions")


@pytest.fixture
def sfn(client: Any) -> Iterator[tuple[Any, Stubber]]:
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _driver(store: SqliteStore, client: Any) -> StepFunctionsDriver:
    return StepFunctionsDriver(
        store=store, client=lambda: client, state_machine_arn=ARN, max_loops=7
    )


def _add(store: SqliteStore, **fields: Any) -> str:
    ex = execution([("a", 1)]).model_copy(update=fields)
    with store.transaction() as uow:
        uow.executions.add(ex)
    return ex.id


def _token(store: SqliteStore, execution_id: str) -> str | None:
    with store.read() as uow:
        return uow.executions.wake_token(execution_id)


def _set_token(store: SqliteStore, execution_id: str, token: str) -> None:
    with store.transaction() as uow:
        uow.executions.set_wake_token(execution_id, token)


def _started(stubber: Stubber, name: str, execution_id: str) -> None:
    document = json.dumps(loop_input(execution_id, name, max_loops=7))
    stubber.add_response(
        "start_execution",
        {"executionArn": f"{ARN}:{name}", "startDate": "2026-01-01T00:00:00Z"},
        {"stateMachineArn": ARN, "name": name, "input": document},
    )


def test_a_stored_token_is_sent_and_cleared(store: SqliteStore, sfn: tuple[Any, Stubber]) -> None:
    client, stubber = sfn
    ex_id = _add(store)
    _set_token(store, ex_id, "tok-1")
    stubber.add_response("send_task_success", {}, {"taskToken": "tok-1", "output": WOKEN})
    _driver(store, client).wake(ex_id)
    assert _token(store, ex_id) is None


def test_a_token_whose_sleep_ended_falls_back_to_starting_the_loop(
    store: SqliteStore, sfn: tuple[Any, Stubber]
) -> None:
    client, stubber = sfn
    ex_id = _add(store, status=ExecutionStatus.RUNNING)
    _set_token(store, ex_id, "tok-old")
    stubber.add_client_error("send_task_success", "TaskTimedOut", http_status_code=400)
    _started(stubber, ex_id, ex_id)
    _driver(store, client).wake(ex_id)
    assert _token(store, ex_id) is None


def test_without_a_token_a_new_execution_starts_its_loop_named_after_it(
    store: SqliteStore, sfn: tuple[Any, Stubber]
) -> None:
    client, stubber = sfn
    ex_id = _add(store)
    _started(stubber, ex_id, ex_id)
    _driver(store, client).wake(ex_id)


def test_an_execution_with_nothing_left_to_do_or_unknown_calls_nothing(
    store: SqliteStore, sfn: tuple[Any, Stubber]
) -> None:
    client, _ = sfn
    ex_id = _add(store, status=ExecutionStatus.COMPLETED)  # a recovery needs no cleanup
    driver = _driver(store, client)
    driver.wake(ex_id)
    driver.wake("ex-unknown")  # the stubber fails on any call


def test_a_name_used_before_is_no_error(store: SqliteStore, sfn: tuple[Any, Stubber]) -> None:
    client, stubber = sfn
    stubber.add_client_error("start_execution", "ExecutionAlreadyExists", http_status_code=400)
    assert _driver(store, client).start("ex-1", "ex-1") is False


@pytest.mark.parametrize("code", ["InvalidToken", "TaskDoesNotExist", "TaskTimedOut"])
def test_a_sleep_that_ended_is_already_awake(
    store: SqliteStore, sfn: tuple[Any, Stubber], code: str
) -> None:
    client, stubber = sfn
    stubber.add_client_error("send_task_success", code, http_status_code=400)
    assert _driver(store, client).send("tok") is False


def test_other_refusals_are_driver_errors_naming_the_cause(
    store: SqliteStore, sfn: tuple[Any, Stubber]
) -> None:
    client, stubber = sfn
    stubber.add_client_error(
        "start_execution", "StateMachineDoesNotExist", "no such machine", http_status_code=400
    )
    with pytest.raises(DriverError, match="StateMachineDoesNotExist: no such machine"):
        _driver(store, client).start("ex-1", "ex-1")
    stubber.add_client_error("send_task_success", "ThrottlingException", http_status_code=400)
    with pytest.raises(DriverError, match="ThrottlingException"):
        _driver(store, client).send("tok")


def test_without_a_state_machine_no_loop_can_start(store: SqliteStore) -> None:
    driver = StepFunctionsDriver(
        store=store, client=lambda: None, state_machine_arn=None, max_loops=7
    )
    with pytest.raises(DriverError, match="no state machine set"):
        driver.start("ex-1", "ex-1")
