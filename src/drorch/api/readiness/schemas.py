"""Readiness JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from drorch.api.query import QueryModel
from drorch.domain.readiness import ReadinessRun, ReadinessStatus, Severity, SubjectKind, Trigger


class SubjectRead(BaseModel):
    """What a finding is about."""

    kind: SubjectKind
    id: str


class FindingRead(BaseModel):
    """One finding of a check."""

    check: str = Field(description="Registry id of the check (replication, quota, ...).")
    code: str = Field(description="The specific reason, as a start's refusal names it.")
    severity: Severity
    subject: SubjectRead
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)


class ReadinessRunRead(BaseModel):
    """One readiness run of a plan."""

    id: str
    plan_id: str
    plan_name: str
    trigger: Trigger
    status: ReadinessStatus
    started_at: datetime
    finished_at: datetime
    by: str
    checks: list[str]
    error_count: int
    warning_count: int
    findings: list[FindingRead]


class ReadinessHistoryRead(BaseModel):
    """The latest run of a plan and a page of its history, newest first."""

    latest: ReadinessRunRead | None
    items: list[ReadinessRunRead]
    next_cursor: str | None = None


class ReadinessOverviewRead(BaseModel):
    """The latest run of every plan checked so far (plans list, dashboard)."""

    items: list[ReadinessRunRead]
    not_ready: int


class ReadinessSaveRead(BaseModel):
    """The store-only checks a save ran: nothing blocks, all is advice."""

    status: ReadinessStatus
    findings: list[FindingRead]


class ReadinessHistoryQuery(QueryModel):
    """Query string of GET /recovery-plans/{id}/readiness."""

    limit: int = Field(20, ge=1, le=100, description="Runs per page (1-100).")
    cursor: str | None = Field(None, max_length=2048, description="next_cursor of the last page.")


class ReadinessOverviewQuery(QueryModel):
    """Query string of GET /readiness."""

    status: Literal["READY", "NOT_READY"] | None = Field(
        None, description="Only plans with this status."
    )


def run_read(run: ReadinessRun) -> ReadinessRunRead:
    """The JSON shape of a run."""
    return ReadinessRunRead.model_validate(
        {
            **run.model_dump(exclude={"seq"}),
            "error_count": len(run.errors),
            "warning_count": len(run.warnings),
        }
    )
