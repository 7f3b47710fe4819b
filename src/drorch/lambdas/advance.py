"""The state machine's Advance and RecordFailure tasks: one engine pass, or a failure noted."""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One `Engine.advance`; answers status, terminal and the seconds until the next look."""
    from drorch.engine.drivers.stepfunctions import answer
    from drorch.errors import DriverError

    box = container()
    if box.engine is None:
        raise DriverError("no engine in this process: DRS is not configured")
    execution_id = _execution_id(event)
    advanced = box.engine.advance(execution_id)
    with box.store.read() as uow:
        version = uow.executions.version(execution_id)
    now = box.clock.now()
    return answer(
        advanced, now=now, max_wait=box.settings.driver_max_wait_seconds, version=version
    ).as_dict()


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


def _execution_id(event: dict[str, Any]) -> str:
    from drorch.errors import ValidationError

    value = event.get("execution_id")
    if not isinstance(value, str) or not value:
        raise ValidationError("the event names no execution_id")
    return value
