"""API shapes of action steps inside a run's waves."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from drorch.domain.executions import StepRun
from drorch.domain.statuses import StepStatus, UndoStatus


class StepUndoRead(BaseModel):
    """A drill cleanup's undo of the step."""

    status: UndoStatus
    started_at: datetime
    ended_at: datetime | None
    attempts: int
    output: dict[str, Any]
    error_code: str | None
    error: str | None


class StepRunRead(BaseModel):
    """One action of a wave as the run carries it out."""

    name: str
    type: str
    phase: Literal["before", "after"]
    status: StepStatus
    params: dict[str, Any]
    account_id: str | None
    region: str | None
    on_failure: Literal["fail_wave", "continue"]
    in_drill: Literal["run", "skip", "simulate"] = Field(description="What this run does.")
    timeout_minutes: float
    attempts: int
    idempotency_key: str
    started_at: datetime | None
    ended_at: datetime | None
    deadline: datetime | None = Field(description="When a running step times out.")
    changed: dict[str, Any] = Field(description="What it changed (a drill's cleanup undoes it).")
    output: dict[str, Any]
    error_code: str | None
    error: str | None
    decided_by: str | None = Field(description="An approval's approver or decliner.")
    comment: str | None
    undo: StepUndoRead | None
    awaiting_approval: bool = Field(description="An approval waiting for a decision.")


def step_read(step: StepRun) -> StepRunRead:
    """The API shape of a step."""
    fields = step.model_dump(exclude={"intent_at", "called_at", "not_before", "undo"})
    undo = step.undo.model_dump(exclude={"called", "not_before"}) if step.undo else None
    return StepRunRead(
        **fields,
        undo=StepUndoRead(**undo) if undo else None,
        awaiting_approval=step.type == "approval" and step.status == "RUNNING",
    )
