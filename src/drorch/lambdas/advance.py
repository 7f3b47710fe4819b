"""The state machine's Advance, ContinueAsNew and RecordFailure tasks (one handler each)."""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container, published


@published
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One `Engine.advance`; answers status, terminal and the seconds until the next look."""
    from drorch.engine.drivers.stepfunctions import advance_once
    from drorch.errors import DriverError

    box = container()
    if box.engine is None:
        raise DriverError("no engine in this process: DRS is not configured")
    max_wait = box.settings.driver_max_wait_seconds
    return advance_once(box.engine, _execution_id(event), max_wait=max_wait).as_dict()


@published
def record_failure(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The Catch of Advance: put the loop's error on the execution's timeline."""
    from drorch.engine.drivers.stepfunctions import record_loop_failure

    box = container()
    failure = event.get("failure") or {}
    recorded = record_loop_failure(
        store=box.store,
        clock=box.clock,
        execution_id=_execution_id(event),
        error=str(failure.get("Error", "unknown")),
        cause=str(failure.get("Cause", "")),
    )
    return {"recorded": recorded}


@published
def continue_as_new(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The ContinueAsNew task: start the loop's next generation as a new Step Functions run."""
    from drorch.adapters.aws.stepfunctions import StepFunctionsDriver
    from drorch.errors import DriverError, ValidationError

    box = container()
    if not isinstance(box.waker, StepFunctionsDriver):
        raise DriverError("this process is not driven by Step Functions (DRORCH_DRIVER)")
    loop, generation = event.get("loop_name"), event.get("generation")
    arn = event.get("state_machine_arn")
    if not isinstance(loop, str) or not isinstance(generation, int) or not isinstance(arn, str):
        raise ValidationError("the event needs loop_name, generation and state_machine_arn")
    name = box.waker.continue_loop(_execution_id(event), loop, generation, state_machine_arn=arn)
    return {"started": name}


def _execution_id(event: dict[str, Any]) -> str:
    from drorch.errors import ValidationError

    value = event.get("execution_id")
    if not isinstance(value, str) or not value:
        raise ValidationError("the event names no execution_id")
    return value
