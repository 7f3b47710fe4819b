"""Execution JSON shapes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drorch.api.executions.step_schemas import StepRunRead
from drorch.api.query import PageQuery
from drorch.domain.audit import MAX_COMMENT
from drorch.domain.common import Name
from drorch.domain.executions import ExecutionType
from drorch.domain.launch_settings import LaunchSettings, SettingsRecord
from drorch.domain.plans import CleanupAfter
from drorch.domain.statuses import (
    BatchKind,
    BatchState,
    CleanupStatus,
    DrsJobStatus,
    DrsLaunchStatus,
    ExecutionStatus,
    ServerStatus,
    WaveStatus,
)
from drorch.ports.store import MAX_PAGE_SIZE
from drorch.services.executions import Preflight


class ExecutionCreate(BaseModel):
    """Body of POST /executions: which plan, drill or recovery, optionally some waves."""

    model_config = ConfigDict(extra="forbid")

    plan_id: Name = Field(min_length=1, max_length=128, description="Plan id (or unique name).")
    type: ExecutionType = Field(description="DRILL (test recovery, cleaned up) or RECOVERY.")
    waves: list[Name] | None = Field(
        default=None, max_length=100, description="Run only these waves (default: all)."
    )
    allow_unhealthy: bool = Field(
        default=False, description="Start even if some servers' replication is unhealthy."
    )
    cleanup_after_minutes: CleanupAfter | None = Field(
        default=None,
        description="Drills: minutes after the end before cleanup starts by itself, or keep "
        "(until an operator starts it); default: the plan's cleanup_after_minutes.",
    )
    comment: str | None = Field(
        default=None, max_length=MAX_COMMENT, description="Why; lands on timeline and audit log."
    )


class PreflightFindingRead(BaseModel):
    """A reason a start would be refused (a 409 `conflicts` entry), or a warning.

    Only the fields that apply to the finding's kind are present.
    """

    reason: str = Field(
        description="Kind: plan-invalid, plan-running, server-busy, replication-unhealthy, "
        "no-quota-headroom, drs-error, drs-throttled, drs-not-configured, wave-empty; launch "
        "settings: subnet-missing, security-group-missing, security-group-other-vpc, "
        "ip-outside-subnet, ip-reserved, ip-duplicate, ip-in-use, session-error, ec2-error."
    )
    message: str = Field(description="What an operator reads.")
    path: str | None = Field(default=None, description="plan-invalid: the plan field.")
    execution_id: str | None = Field(default=None, description="The active execution in the way.")
    source_server_id: str | None = None
    replication_state: str | None = None
    scope: str | None = Field(default=None, description="ACCOUNT/REGION of a DRS finding.")
    retry_after: int | None = Field(
        default=None, description="drs-throttled: seconds DRS asked to wait before trying again."
    )
    wave: str | None = None
    group_id: str | None = Field(default=None, description="Launch settings: the group.")
    setting: str | None = Field(
        default=None,
        description="Launch settings: the group field, e.g. launch_defaults.subnet_id.",
    )


class PreflightWaveRead(BaseModel):
    """A selected wave as the start would run it."""

    name: str
    depends_on: list[str] = Field(description="Selected waves it waits for.")
    pause_before: bool
    server_count: int
    job_count: int = Field(description="DRS jobs its servers need (at most 100 servers each).")


class PreflightRead(BaseModel):
    """The outcome of the start's checks, run without starting anything."""

    ok: bool = Field(description="True when the same start request would be accepted now.")
    plan_id: str
    plan_name: str
    type: ExecutionType
    reasons: list[PreflightFindingRead] = Field(
        description="Every reason a start would be refused: a refused start's `conflicts`."
    )
    warnings: list[PreflightFindingRead] = Field(description="Worth reading; they do not block.")
    waves: list[PreflightWaveRead]
    server_count: int = Field(description="Servers the execution would launch.")


class OperatorActionCreate(BaseModel):
    """Optional body of pause, resume and terminate-instances."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(
        default=None, max_length=MAX_COMMENT, description="Why; lands on timeline and audit log."
    )


class CancelCreate(OperatorActionCreate):
    """Body of POST /executions/{id}/cancel (optional)."""

    terminate_instances: bool = Field(
        default=False, description="Drills only: terminate what was launched once jobs end."
    )


class LaunchSettingsRead(BaseModel):
    """The launch settings a server was launched with, and what drorch changed for them."""

    wanted: LaunchSettings = Field(description="The group's settings for this server.")
    state: Literal["INTENDED", "APPLIED", "FAILED"]
    changed: bool = Field(description="False when DRS and EC2 already held every setting.")
    previous_drs: dict[str, Any] = Field(description="DRS launch configuration before.")
    drs_changes: dict[str, Any] = Field(description="UpdateLaunchConfiguration members sent.")
    template_id: str | None = Field(description="The server's EC2 launch template.")
    previous_template_version: int | None
    previous_template: dict[str, Any]
    template_version: int | None = Field(description="The default version it launched with.")
    template_changes: dict[str, Any]
    error: str | None


class ServerRunRead(BaseModel):
    """One server of the run: its wave, drorch's status, the launch's evidence, its cleanup.

    `started_at`/`ended_at`, `launch_status` and `job_id` describe the launch and keep
    their values after drill cleanup; the cleanup is `terminate_job_id`/`terminated_at`
    (status TERMINATED), so the instance lived from `ended_at` to `terminated_at`.
    """

    wave: str
    source_server_id: str
    hostname: str
    account_id: str
    region: str
    group_id: str
    optional: bool
    status: ServerStatus
    launch_status: DrsLaunchStatus | None = Field(description="DRS's launch result.")
    job_id: str | None = Field(description="The LAUNCH job.")
    recovery_instance_id: str | None
    ec2_instance_id: str | None
    started_at: datetime | None = Field(description="When the launch was started.")
    ended_at: datetime | None = Field(description="When the launch ended (launched or failed).")
    error: str | None
    terminate_job_id: str | None = Field(description="The drill cleanup's TERMINATE job.")
    terminated_at: datetime | None = Field(description="When cleanup saw the instance gone.")
    launch_settings: LaunchSettingsRead | None = Field(
        default=None, description="The settings of its latest launch (none before it)."
    )


class WaveRunRead(BaseModel):
    """One wave of the run with its servers counted by status (page them at /servers)."""

    name: str
    status: WaveStatus
    depends_on: list[str]
    pause_before: bool
    started_at: datetime | None
    ended_at: datetime | None
    server_count: int
    counts: dict[str, int] = Field(description="Servers by status (only statuses present).")
    steps: list[StepRunRead] = Field(default_factory=list, description="Its actions, in order.")


class JobRead(BaseModel):
    """A DRS job drorch started for the run: a LAUNCH of a wave chunk or a TERMINATE."""

    batch_id: str
    kind: BatchKind
    wave: str | None
    account_id: str
    region: str
    job_id: str | None
    job_status: DrsJobStatus | None
    state: BatchState
    source_server_ids: list[str]
    recovery_instance_ids: list[str]
    attempts: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    last_error: str | None


class JobCountsRead(BaseModel):
    """How many DRS jobs the run started, and how many are still open (page them at /jobs)."""

    total: int
    open: int = Field(description="INTENDED or ACTIVE: started and not yet seen ended.")


class TimingsRead(BaseModel):
    """The recovery time the run achieved against its RTO, and its pauses.

    Nothing here moves with the clock: a client measures a run still going (or a pause
    still lasting) from `started_at` (or `paused_since`) itself.
    """

    rto_minutes: int | None = Field(description="The plan's RTO target.")
    rto_achieved_seconds: float | None = Field(
        description="First launch start to last server launched, minus time PAUSED in between; "
        "None before any server launched."
    )
    paused_seconds: float = Field(description="Time spent in pauses that have ended.")
    paused_since: datetime | None = Field(description="Start of the pause lasting now, if any.")
    within_rto: bool | None = Field(
        description="RTO achieved <= target; None unless the execution COMPLETED with a target."
    )


class ExecutionRead(BaseModel):
    """An execution's header: status, waves with server counts, job counts and timings.

    Its servers are paged at `/executions/{id}/servers`, its DRS jobs at `/jobs`, and the
    timeline per wave and job at `/timeline`.
    """

    id: str
    plan_id: str
    plan_name: str
    type: ExecutionType
    status: ExecutionStatus
    cleanup_status: CleanupStatus
    finished: bool = Field(
        description="Nothing will change on its own any more: ended, no open job, no cleanup."
    )
    paused_reason: str | None
    waiting_scopes: list[str]
    terminate_on_cancel: bool
    cleanup_after_minutes: float | None = Field(
        default=None, description="A drill's cleanup hold after its end; null: until asked."
    )
    cleanup_due_at: datetime | None = Field(
        default=None, description="When this ended drill cleans up by itself (while held)."
    )
    leftovers: list[str] = Field(description="Recovery instances cleanup could not remove.")
    server_count: int
    counts: dict[str, int] = Field(description="Servers by status (only statuses present).")
    waves: list[WaveRunRead]
    jobs: JobCountsRead
    timings: TimingsRead
    started_by: str
    version: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    updated_at: datetime


class JobSpanRead(BaseModel):
    """One DRS job on the timeline: when it ran and how its servers fared, no server list."""

    batch_id: str
    kind: BatchKind
    job_id: str | None
    state: BatchState
    job_status: DrsJobStatus | None
    account_id: str
    region: str
    server_count: int
    created_at: datetime
    started_at: datetime | None = Field(description="First server launch start (or job start).")
    ended_at: datetime | None = Field(description="Last server end (or job end); None if open.")
    counts: dict[str, int] = Field(description="Its servers by status.")


class WaveSpanRead(BaseModel):
    """One wave on the timeline with its jobs."""

    name: str
    status: WaveStatus
    started_at: datetime | None
    ended_at: datetime | None
    server_count: int
    counts: dict[str, int]
    jobs: list[JobSpanRead]
    steps: list[StepRunRead] = Field(default_factory=list, description="Its actions.")


class TimelineRead(BaseModel):
    """The run drawn per wave and per DRS job (what a Gantt chart needs), for one version."""

    execution_id: str
    version: int
    status: ExecutionStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    waves: list[WaveSpanRead]
    cleanup_jobs: list[JobSpanRead] = Field(description="TERMINATE jobs of the drill cleanup.")


class ExecutionSummaryRead(BaseModel):
    """A row of the execution listing."""

    id: str
    plan_id: str
    plan_name: str
    type: ExecutionType
    status: ExecutionStatus
    cleanup_status: CleanupStatus
    servers: int
    created_at: datetime
    ended_at: datetime | None


class EventRead(BaseModel):
    """One entry of an execution's timeline: who did what, when."""

    seq: int
    at: datetime
    actor: str
    kind: str
    message: str
    wave: str | None
    source_server_id: str | None
    data: dict[str, Any]


class ExecutionListQuery(PageQuery):
    """Query string of GET /executions."""

    plan_id: str | None = Field(None, max_length=128)
    status: ExecutionStatus | None = None
    type: ExecutionType | None = None
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Page size (1-500).")


class EventListQuery(PageQuery):
    """Query string of GET /executions/{id}/events."""


class RunServerListQuery(PageQuery):
    """Query string of GET /executions/{id}/servers."""

    wave: str | None = Field(None, max_length=128, description="Only this wave's servers.")
    status: list[ServerStatus] = Field(
        default_factory=list, description="Only servers in these statuses (repeat)."
    )
    account_id: str | None = Field(None, max_length=12, description="Only this account's.")
    search: str | None = Field(
        None, max_length=200, description="Part of the id, hostname, job or instance id."
    )


class JobListQuery(PageQuery):
    """Query string of GET /executions/{id}/jobs."""

    kind: BatchKind | None = Field(None, description="LAUNCH or TERMINATE.")


def preflight_read(preflight: Preflight) -> PreflightRead:
    """The API shape of a preflight."""
    return PreflightRead(
        ok=preflight.ok,
        plan_id=preflight.plan.id,
        plan_name=preflight.plan.name,
        type=preflight.execution.type,
        reasons=[PreflightFindingRead.model_validate(r) for r in preflight.reasons],
        warnings=[PreflightFindingRead.model_validate(w) for w in preflight.warnings],
        waves=[PreflightWaveRead.model_validate(asdict(w)) for w in preflight.waves()],
        server_count=preflight.server_count,
    )


def launch_settings_read(record: SettingsRecord) -> LaunchSettingsRead:
    """A server's launch-settings record as the API shows it (`changed`: drorch wrote any)."""
    data = record.model_dump(include=set(LaunchSettingsRead.model_fields) - {"changed"})
    changed = bool(record.drs_changes or record.create_version or record.set_default)
    return LaunchSettingsRead(**data, changed=changed)
