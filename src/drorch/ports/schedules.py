"""Ports of schedules: the store's repository, and the readiness and backup a run calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from drorch.domain.identity import Principal
from drorch.domain.schedules import Schedule, ScheduleRun
from drorch.ports.store import Page


class ScheduleRepository(Protocol):
    """Schedules with the scheduler's next due time kept apart from their version.

    `claim` is the one way a run starts: a conditional insert keyed by schedule and due
    time, so of several workers that find the same run due exactly one gets True.
    """

    def add(self, schedule: Schedule, *, next_due_at: datetime | None) -> None: ...
    def update(
        self, schedule: Schedule, *, expected_version: int, next_due_at: datetime | None
    ) -> None: ...
    def delete(self, schedule_id: str, *, expected_version: int | None) -> None: ...
    def get(self, schedule_id: str) -> Schedule | None: ...
    def find_by_name(self, name: str) -> Schedule | None: ...
    def all(self) -> list[Schedule]: ...
    def next_due_of(self, schedule_ids: Iterable[str]) -> dict[str, datetime | None]: ...
    def due(self, now: datetime) -> list[tuple[Schedule, datetime]]: ...
    def next_due(self) -> datetime | None: ...
    def claim(self, run: ScheduleRun, *, next_due_at: datetime | None) -> bool: ...
    def finish(self, run: ScheduleRun) -> None: ...
    def get_run(self, run_id: str) -> ScheduleRun | None: ...
    def runs_page(self, schedule_id: str, cursor: str | None, limit: int) -> Page[ScheduleRun]: ...
    def last_runs(self, schedule_ids: Iterable[str]) -> dict[str, ScheduleRun]: ...
    def running(self) -> list[ScheduleRun]: ...


@dataclass(frozen=True)
class ReadinessResult:
    """What a readiness run found: ready or not, and each reason it is not."""

    ready: bool
    reasons: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


class ReadinessCheck(Protocol):
    """Checks one plan's readiness as a principal (the composition root picks the check)."""

    def __call__(self, plan_id: str, principal: Principal) -> ReadinessResult: ...


class BackupWriter(Protocol):
    """Writes one scheduled backup of the store, keeping the newest `keep`; what it wrote."""

    def __call__(self, schedule_id: str, keep: int, now: datetime) -> dict[str, Any]: ...
