"""/api/v1/executions/{id}/steps/{name}/approve|decline: decide an approval step."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from drorch.api.deps import ContainerDep
from drorch.api.executions.schemas import ExecutionRead, OperatorActionCreate
from drorch.api.executions.views import header_of
from drorch.api.security import audited
from drorch.domain.identity import Permission
from drorch.services import approvals
from drorch.services.audit import AuditContext

router = APIRouter(prefix="/api/v1/executions", tags=["executions"])
P = Permission

DECISION_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "A recovery's approval needs recoveries:approve"},
    404: {"description": "Unknown execution or step"},
    409: {"description": "The step is not an approval awaiting a decision"},
}
StepName = Annotated[str, Path(min_length=1, max_length=64)]


@router.post("/{execution_id}/steps/{step}/approve", responses=DECISION_RESPONSES)
def approve_step(
    execution_id: str,
    step: StepName,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_APPROVE, "execution.approve")],
    body: OperatorActionCreate | None = None,
) -> ExecutionRead:
    """Approve an approval step (a RECOVERY's needs recoveries:approve); the wave goes on."""
    return _decide(container, "approve", execution_id, step, audit, body)


@router.post("/{execution_id}/steps/{step}/decline", responses=DECISION_RESPONSES)
def decline_step(
    execution_id: str,
    step: StepName,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_APPROVE, "execution.decline")],
    body: OperatorActionCreate | None = None,
) -> ExecutionRead:
    """Decline an approval step: it fails, and its wave too unless it says `continue`."""
    return _decide(container, "decline", execution_id, step, audit, body)


def _decide(
    container: ContainerDep,
    decision: approvals.Decision,
    execution_id: str,
    step: str,
    audit: AuditContext,
    body: OperatorActionCreate | None,
) -> ExecutionRead:
    execution = approvals.decide(
        store=container.store,
        execution_id=execution_id,
        step=step,
        decision=decision,
        audit=audit.with_comment(body.comment if body else None),
        clock=container.clock,
        waker=container.waker,
        config=container.engine_config,
    )
    return header_of(execution)
