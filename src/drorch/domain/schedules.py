"""Schedules: a plan's drill, a readiness run or a backup, by cron (in a time zone) or once.

A schedule runs as its owner: the principal who last saved it, so that it never does more
than the last person who shaped it may do. Each due time gives one run, claimed once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from drorch.domain import cron
from drorch.domain.common import Model, Name
from drorch.domain.identity import Permission, Role

DEFAULT_RETENTION = 7
MAX_RETENTION = 365
PREVIEW_COUNT = 5
MAX_PREVIEW = 50


class ScheduleKind(StrEnum):
    """What a schedule runs."""

    DRILL = "drill"
    READINESS = "readiness"
    BACKUP = "backup"


class RunStatus(StrEnum):
    """Where one run stands: claimed and running, or how it ended."""

    RUNNING = "RUNNING"
    STARTED = "STARTED"  # a drill execution was started
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


# What the owner must be allowed, beyond schedules:write, to keep each kind of schedule.
KIND_PERMISSION: dict[ScheduleKind, Permission] = {
    ScheduleKind.DRILL: Permission.DRILLS_START,
    ScheduleKind.READINESS: Permission.DRILLS_START,
    ScheduleKind.BACKUP: Permission.BACKUPS_WRITE,
}


class Owner(Model):
    """Whom a schedule runs as: their subject, name and role when they saved it."""

    subject: str
    username: str
    role: Role


class ScheduleDraft(Model):
    """What a person says about a schedule; everything else drorch works out."""

    name: Name = Field(min_length=1, max_length=128)
    kind: ScheduleKind
    plan_id: str | None = Field(default=None, description="The plan (drill and readiness).")
    waves: list[Name] | None = Field(
        default=None, description="Drill only: the waves to run (null: every wave)."
    )
    cron: str | None = Field(default=None, description="Five-field cron expression.")
    timezone: str = Field(default="UTC", description="IANA time zone the cron times are in.")
    at: datetime | None = Field(default=None, description="One run at this time, instead of cron.")
    enabled: bool = True
    retention: int | None = Field(
        default=None, ge=1, le=MAX_RETENTION, description="Backup only: archives kept."
    )

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else cron.check_cron(value.strip())

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        cron.zone(value)
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a UTC offset, e.g. 2026-12-05T06:00:00+01:00")
        return None if value is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _consistent(self) -> ScheduleDraft:
        if (self.cron is None) == (self.at is None):
            raise ValueError("give either cron (with timezone) or at, not both or neither")
        if self.kind is ScheduleKind.BACKUP:
            if self.plan_id is not None or self.waves is not None:
                raise ValueError("a backup schedule names no plan and no waves")
        elif not self.plan_id:
            raise ValueError(f"a {self.kind.value} schedule needs plan_id")
        if self.waves is not None and self.kind is not ScheduleKind.DRILL:
            raise ValueError("only a drill schedule runs a subset of waves")
        if self.retention is not None and self.kind is not ScheduleKind.BACKUP:
            raise ValueError("only a backup schedule keeps a retention count")
        return self


class Schedule(ScheduleDraft):
    """A stored schedule."""

    id: str
    owner: Owner
    created_by: str
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def kept(self) -> int:
        """How many backup archives this schedule keeps."""
        return self.retention or DEFAULT_RETENTION

    def next_due(self, after: datetime) -> datetime | None:
        """The first due time strictly after `after` (a one-off: its time, if still ahead)."""
        if self.at is not None:
            return self.at if self.at > after else None
        assert self.cron is not None  # the draft's validator demands one of the two
        return cron.next_time(self.cron, self.timezone, after)

    def preview(self, after: datetime, count: int = PREVIEW_COUNT) -> list[datetime]:
        """The next `count` due times after `after`."""
        if self.at is not None:
            return [self.at] if self.at > after else []
        assert self.cron is not None
        return cron.next_times(self.cron, self.timezone, after, count)

    def slots_between(self, first: datetime, until: datetime, limit: int = 10_000) -> int:
        """Due times from `first` (itself included) up to `until`: the slots a pause covered."""
        if self.at is not None or self.cron is None:
            return 1
        count, moment = 1, first
        while count < limit:
            following = cron.next_time(self.cron, self.timezone, moment)
            if following is None or following > until:
                break
            count, moment = count + 1, following
        return count


class ScheduleRun(Model):
    """One due time of a schedule, claimed by one worker, and how it went."""

    id: str
    schedule_id: str
    due_at: datetime
    claimed_at: datetime
    claimed_by: str
    status: RunStatus = RunStatus.RUNNING
    late: bool = False
    missed: int = Field(default=0, description="Earlier due times this catch-up run stands for.")
    finished_at: datetime | None = None
    execution_id: str | None = None
    message: str = ""
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    detail: dict[str, Any] = Field(default_factory=dict)

    def ended(self, status: RunStatus, now: datetime, message: str, **fields: Any) -> ScheduleRun:
        """The run finished with `status`."""
        return self.model_copy(
            update={"status": status, "finished_at": now, "message": message, **fields}
        )


def is_late(due: datetime, now: datetime, grace: timedelta) -> bool:
    """True when a run starts more than `grace` after its due time (the process was down)."""
    return now - due > grace
