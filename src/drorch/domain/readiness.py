"""Readiness: whether a plan could run now, as structured findings of independent checks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from drorch.domain.common import Model


class Severity(StrEnum):
    """How much a finding matters: errors make a plan not ready, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class SubjectKind(StrEnum):
    """What a finding is about."""

    PLAN = "plan"
    WAVE = "wave"
    GROUP = "group"
    SERVER = "server"
    ACCOUNT = "account"
    REGION = "region"


class ReadinessStatus(StrEnum):
    """The verdict of a run."""

    READY = "READY"
    NOT_READY = "NOT_READY"


class Trigger(StrEnum):
    """What asked for a run."""

    SAVE = "save"
    START = "start"
    ON_DEMAND = "on_demand"
    SCHEDULE = "schedule"


class Subject(Model):
    """The thing a finding names: its kind and id (a wave name, `account/Region` for a Region)."""

    kind: SubjectKind
    id: str


class Finding(Model):
    """One thing a check found.

    `check` is the registry id of the check that found it, `code` the specific reason (the
    start's refusal reasons use it), `detail` any structured extra (server id, scope, ...).
    """

    check: str
    code: str
    severity: Severity
    subject: Subject
    message: str
    detail: dict[str, Any] = Field(default_factory=dict)

    def as_reason(self) -> dict[str, Any]:
        """The finding as a start's refusal reason or warning (`reason`, `message`, detail)."""
        return {"reason": self.code, **self.detail, "message": self.message}


class ReadinessRun(Model):
    """One evaluation of a plan's readiness, kept as history."""

    id: str
    plan_id: str
    plan_name: str
    trigger: Trigger
    status: ReadinessStatus
    started_at: datetime
    finished_at: datetime
    by: str
    checks: list[str] = Field(default_factory=list)  # the check ids that ran
    findings: list[Finding] = Field(default_factory=list)
    seq: int | None = None

    @property
    def errors(self) -> list[Finding]:
        """The findings that make the plan not ready."""
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings worth reading that do not block."""
        return [f for f in self.findings if f.severity is Severity.WARNING]


def status_of(findings: list[Finding]) -> ReadinessStatus:
    """NOT_READY when any finding is an error."""
    failed = any(f.severity is Severity.ERROR for f in findings)
    return ReadinessStatus.NOT_READY if failed else ReadinessStatus.READY


class Transition(StrEnum):
    """A change of a plan's readiness between two runs (what notifications announce)."""

    FAILED = "readiness failed"
    RECOVERED = "readiness recovered"


def transition(previous: ReadinessStatus | None, current: ReadinessStatus) -> Transition | None:
    """FAILED on ready (or never checked) -> not ready, RECOVERED on not ready -> ready."""
    if current is ReadinessStatus.NOT_READY and previous is not ReadinessStatus.NOT_READY:
        return Transition.FAILED
    if current is ReadinessStatus.READY and previous is ReadinessStatus.NOT_READY:
        return Transition.RECOVERED
    return None
