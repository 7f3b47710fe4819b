"""Schedule JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from drorch.api.echo import ReadOnlyEcho
from drorch.api.query import PageQuery, QueryModel
from drorch.domain.schedules import (
    MAX_PREVIEW,
    PREVIEW_COUNT,
    Owner,
    ScheduleDraft,
    ScheduleKind,
    ScheduleRun,
)


class ScheduleCreate(ScheduleDraft):
    """Body of POST /schedules: the caller becomes the owner the runs act as."""


class ScheduleUpdate(ScheduleDraft, ReadOnlyEcho):
    """Body of PUT /schedules/{id}: the schedule as GET gave it, changed where wanted."""

    owner: Owner | None = Field(default=None, description="Read-only; the saver becomes owner.")
    created_by: str | None = Field(default=None, description="Read-only; must match.")
    next_due_at: datetime | None = Field(default=None, description="Read-only; ignored.")
    next_runs: list[datetime] | None = Field(default=None, description="Read-only; ignored.")
    description: str | None = Field(default=None, description="Read-only; ignored.")
    last_run: ScheduleRun | None = Field(default=None, description="Read-only; ignored.")


class ScheduleRead(BaseModel):
    """A schedule, when it runs next, what its timing means, and its last run."""

    id: str
    name: str
    kind: ScheduleKind
    plan_id: str | None
    waves: list[str] | None
    cron: str | None
    timezone: str
    at: datetime | None
    enabled: bool
    retention: int | None
    owner: Owner
    created_by: str
    next_due_at: datetime | None = Field(description="The run the scheduler takes next.")
    next_runs: list[datetime] = Field(description="The next due times after now (a preview).")
    description: str = Field(description="The timing in words.")
    last_run: ScheduleRun | None
    version: int
    created_at: datetime
    updated_at: datetime


class ScheduleListQuery(QueryModel):
    """Query string of GET /schedules."""

    plan_id: str | None = Field(None, max_length=128)
    # A Literal, not the enum: query parameters are documented with inline schemas.
    kind: Literal["drill", "readiness", "backup"] | None = None


class RunListQuery(PageQuery):
    """Query string of GET /schedules/{id}/runs."""


class PreviewQuery(QueryModel):
    """Query string of GET /schedules/preview."""

    cron: str = Field(max_length=200, description="Five-field cron expression.")
    tz: str = Field("UTC", max_length=64, description="IANA time zone, e.g. Europe/Berlin.")
    count: int = Field(PREVIEW_COUNT, ge=1, le=MAX_PREVIEW, description="How many times.")


class PreviewRead(BaseModel):
    """The next times an expression runs, in UTC, and what it means."""

    times: list[datetime]
    description: str
    timezone: str
