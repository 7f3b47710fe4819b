"""Recovery-plan JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from drorch.api.echo import ReadOnlyEcho
from drorch.api.query import PageQuery
from drorch.domain.plans import PlanDraft, Wave


class RecoveryPlanCreate(PlanDraft):
    """Body of POST /recovery-plans."""


class RecoveryPlanUpdate(PlanDraft, ReadOnlyEcho):
    """Body of PUT /recovery-plans/{id}: the whole plan, read-only fields as GET gave them."""


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


class RecoveryPlanListQuery(PageQuery):
    """Query string of GET /recovery-plans."""

    search: str | None = Field(None, max_length=200, description="Name contains")
    sort: Literal["name", "-name", "created_at", "-created_at"] = "name"
