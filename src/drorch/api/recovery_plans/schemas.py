"""Recovery-plan JSON shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from drorch.domain.plans import PlanDraft, Wave


class RecoveryPlanCreate(PlanDraft):
    """Body of POST /recovery-plans."""


class RecoveryPlanUpdate(PlanDraft):
    """Body of PUT /recovery-plans/{id}: the whole plan."""


class RecoveryPlanRead(BaseModel):
    """A recovery plan."""

    id: str
    name: str
    description: str
    rto_minutes: int | None
    waves: list[Wave]
    version: int
    created_at: datetime
    updated_at: datetime


class PlanProblem(BaseModel):
    """One error or warning, located by a field path."""

    path: str
    message: str


class PlanValidationRead(BaseModel):
    """The outcome of validating a plan."""

    valid: bool
    errors: list[PlanProblem]
    warnings: list[PlanProblem]
