"""The state machine's Sleep task: keep its task token, so a wake-up can end the Sleep early."""

from __future__ import annotations

from typing import Any

from drorch.lambdas.runtime import container, published


@published
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Store the token; wake at once when the execution moved while it was advancing."""
    from drorch.engine.drivers.stepfunctions import moved_since
    from drorch.errors import ValidationError

    execution_id, token = event.get("execution_id"), event.get("token")
    if not isinstance(execution_id, str) or not isinstance(token, str) or not token:
        raise ValidationError("the event needs execution_id and token")
    box = container()
    with box.store.transaction() as uow:
        uow.executions.set_wake_token(execution_id, token)
    # An operator action between the advance and now found no token to send: send it here.
    if moved_since(box.store, execution_id, event.get("version")):
        box.waker.wake(execution_id)
        return {"stored": True, "woken": True}
    return {"stored": True, "woken": False}
