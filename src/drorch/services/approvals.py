"""Approve or decline an execution's approval step (an operator action with a comment).

Who may decide depends on the execution type: `drills:approve` for a drill's approval,
`recoveries:approve` for a recovery's (403 naming the permission otherwise). 404 for an
unknown execution or step; 409 for a step that is not an approval awaiting a decision.
The decision is queued like the other operator actions, audited with the step and the
comment, applied at once when no worker is mid-pass, and the approver is recorded on the
step (`decided_by`) and the timeline.
"""

from __future__ import annotations

from typing import Literal

from drorch.domain.executions import Command, Execution
from drorch.domain.identity import Permission
from drorch.engine.config import EngineConfig
from drorch.engine.steps.approval import awaiting, find_step
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.clock import WALL_CLOCK, Clock
from drorch.ports.store import Store
from drorch.ports.waker import Waker
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.execution_actions import Via, fold_and_wake
from drorch.services.executions import require_execution

Decision = Literal["approve", "decline"]


def decide(
    *,
    store: Store,
    execution_id: str,
    step: str,
    decision: Decision,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
    config: EngineConfig | None = None,
) -> Execution:
    """Approve or decline the step (a decline fails it, and its wave unless `continue`)."""
    return decide_step(store, execution_id, step, decision, audit, Via(clock, waker, config))


def required_permission(ex: Execution) -> Permission:
    """The permission an approver needs for this execution."""
    return Permission.DRILLS_APPROVE if ex.is_drill else Permission.RECOVERIES_APPROVE


def decide_step(
    store: Store, execution_id: str, step: str, decision: Decision, audit: AuditContext, via: Via
) -> Execution:
    """Check, queue, audit and apply one decision."""
    now = (via.clock or WALL_CLOCK).now()
    with store.transaction() as uow:
        current = require_execution(uow, execution_id)
        if audit.principal is not None:
            demand(audit.principal, required_permission(current))
        _check_awaiting(current, step)
        command = Command(
            action=decision, actor=audit.actor, at=now, comment=audit.comment, step=step
        )
        uow.executions.add_command(execution_id, command)
        uow.executions.schedule(execution_id, now)
        detail = {"step": step, "decision": decision}
        record(uow, f"execution.{decision}", "execution", execution_id, audit=audit, detail=detail)
    return fold_and_wake(store, execution_id, via)


def _check_awaiting(ex: Execution, name: str) -> None:
    found = find_step(ex, name)
    if found is None:
        raise NotFoundError(f"execution {ex.id} has no step {name!r}")
    step = found[1]
    if not awaiting(step):
        what = (
            f"{step.status}, not awaiting a decision"
            if step.type == "approval"
            else "not an approval"
        )
        raise ConflictError(
            f"step {name!r} of execution {ex.id} is {what}",
            conflicts=[{"field": "step", "value": name, "status": step.status}],
        )
