"""Recovery-plan JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from drorch.api.echo import ReadOnlyEcho
from drorch.api.query import PageQuery
from drorch.api.readiness.schemas import ReadinessSaveRead
from drorch.domain.plans import CleanupAfter, PlanDraft, Wave


class RecoveryPlanCreate(PlanDraft):
    """Body of POST /recovery-plans."""


class RecoveryPlanUpdate(PlanDraft, ReadOnlyEcho):
    """Body of PUT /recovery-plans/{id}: the whole plan, read-only fields as GET gave them."""

    readiness: dict[str, Any] | None = Field(
        default=None, description="Ignored: what the last save's checks said is no claim."
    )


class RecoveryPlanRead(BaseModel):
    """A recovery plan."""

    id: str
    name: str
    description: str
    rto_minutes: int | None
    waves: list[Wave]
    cleanup_after_minutes: CleanupAfter = 0.0
    version: int
    created_at: datetime
    updated_at: datetime


class RecoveryPlanSaved(RecoveryPlanRead):
    """A plan as saved, with what the store-only readiness checks found (advice, never a block)."""

    readiness: ReadinessSaveRead


class PlanProblem(BaseModel):
    """One error or warning, located by a field path."""

    path: str
    message: str


class PlanValidationRead(BaseModel):
    """The outcome of validating a plan."""

    valid: bool
    errors: list[PlanProblem]
    warnings: list[PlanProblem]


class RecoveryPlanListQuery(PageQuery):
    """Query string of GET /recovery-plans."""

    search: str | None = Field(None, max_length=200, description="Name contains")
    sort: Literal["name", "-name", "created_at", "-created_at"] = "name"
