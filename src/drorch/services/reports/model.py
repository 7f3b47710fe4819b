"""The facts of one execution report, ready to render (no store, no format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Act:
    """Something a person did (or was refused) to the execution, with their comment."""

    at: datetime
    who: str
    role: str | None
    action: str
    outcome: str
    comment: str | None


@dataclass(frozen=True)
class ServerLine:
    """One server's launch: result, DRS job, instances, timings, the failure if any."""

    wave: str
    source_server_id: str
    hostname: str
    account_id: str
    region: str
    optional: bool
    status: str
    launch_status: str | None
    job_id: str | None
    recovery_instance_id: str | None
    ec2_instance_id: str | None
    started_at: datetime | None
    ended_at: datetime | None
    error: str | None
    terminated_at: datetime | None

    @property
    def seconds(self) -> float | None:
        """How long the launch took, when it ended."""
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return None


@dataclass(frozen=True)
class StepLine:
    """One action of a wave as it ran: status, times, what it changed and its undo."""

    wave: str
    name: str
    type: str
    phase: str
    status: str
    account_id: str | None
    region: str | None
    started_at: datetime | None
    ended_at: datetime | None
    changed: dict[str, Any]
    output: dict[str, Any]
    error: str | None
    decided_by: str | None
    comment: str | None
    undo: str | None  # the drill cleanup's undo status, if one ran


@dataclass(frozen=True)
class WaveLine:
    """One wave: its groups, status, timings and how its servers ended."""

    name: str
    groups: list[str]
    depends_on: list[str]
    pause_before: bool
    status: str
    started_at: datetime | None
    ended_at: datetime | None
    servers: int
    launched: int
    failed: int

    @property
    def seconds(self) -> float | None:
        """How long the wave ran, when it ended."""
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return None


@dataclass(frozen=True)
class Readiness:
    """What the execution knew about readiness when it started."""

    replication: list[tuple[str, str, str]]  # (server id, hostname, replication state)
    findings: list[str]  # preflight or readiness findings recorded at the start, if any

    @property
    def unhealthy(self) -> list[tuple[str, str, str]]:
        """Servers whose replication was not CONTINUOUS at the start."""
        return [r for r in self.replication if r[2] != "CONTINUOUS"]


@dataclass(frozen=True)
class Cleanup:
    """The drill's cleanup: status, when, the terminate jobs and what was left behind."""

    status: str
    started_at: datetime | None
    terminate_jobs: list[str]
    leftovers: list[str]


@dataclass(frozen=True)
class EventLine:
    """One timeline event."""

    seq: int
    at: datetime
    actor: str
    kind: str
    message: str
    comment: str | None


@dataclass(frozen=True)
class ExecutionReport:
    """Everything a report shows about one execution."""

    execution_id: str
    plan_id: str
    plan_name: str
    plan_description: str
    type: str
    status: str
    started_by: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    generated_at: datetime
    rto_target_minutes: int | None
    rto_achieved_seconds: float | None
    paused_seconds: float
    within_rto: bool | None
    selected_waves: list[str]
    group_names: dict[str, str]
    waves: list[WaveLine]
    servers: list[ServerLine]
    steps: list[StepLine]
    acts: list[Act]
    readiness: Readiness
    cleanup: Cleanup
    events: list[EventLine] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float | None:
        """From start to end (or to when the report was made, while running)."""
        if self.started_at is None:
            return None
        return ((self.ended_at or self.generated_at) - self.started_at).total_seconds()

    @property
    def failed_servers(self) -> list[ServerLine]:
        """Servers whose launch failed."""
        return [s for s in self.servers if s.launch_status == "FAILED" or s.status == "FAILED"]
