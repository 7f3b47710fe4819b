"""The wake Lambda: DRS events (EventBridge) and wake-up requests end executions' Sleeps."""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container, published


@published
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Wake the executions a DRS event concerns, or the one `{"execution_id": ...}` names."""
    from drorch.engine.drivers.events import concerned, parse_drs_event
    from drorch.errors import ValidationError

    box = container()
    drs_event = parse_drs_event(event)
    if drs_event is not None:
        ids = concerned(box.store, drs_event)
    elif isinstance(event.get("execution_id"), str):
        ids = [event["execution_id"]]
    else:
        raise ValidationError("neither a DRS event nor an execution_id")
    for execution_id in ids:
        box.waker.wake(execution_id)
    return {"woken": ids}
