"""Executions: one run of a recovery plan, as a drill or a real recovery.

An execution holds an immutable snapshot of the plan, its groups and the resolved servers
taken at start, plus the run state of every wave, server and DRS job (batch), and an
append-only timeline of events. Status strings sent to or read from DRS (`launch_status`,
`job_status`, job types, log event names) are exactly those of the DRS API model.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from drorch.domain.common import Model
from drorch.domain.groups import ProtectionGroup
from drorch.domain.launch_settings import SettingsRecord
from drorch.domain.plans import RecoveryPlan
from drorch.domain.statuses import (
    TERMINAL_STATUSES,
    TERMINAL_STEPS,
    BatchKind,
    BatchState,
    CleanupStatus,
    DrsJobStatus,
    DrsLaunchStatus,
    ExecutionStatus,
    ServerStatus,
    StepStatus,
    UndoStatus,
    WaveStatus,
)

ExecutionType = Literal["DRILL", "RECOVERY"]


TAG_EXECUTION = "drorch:execution-id"
TAG_BATCH = "drorch:batch-id"


class Record(BaseModel):
    """Base of run-state models: unknown fields refused; the engine updates copies."""

    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class SnapshotServer(Model):
    """A server resolved at start: where it lives, which wave and group, whether optional."""

    source_server_id: str
    account_id: str
    region: str
    group_id: str
    wave: str
    hostname: str = ""
    optional: bool = False
    replication_state: str = "CONTINUOUS"


class Snapshot(Model):
    """What the execution runs, frozen at start so later edits change nothing."""

    plan: RecoveryPlan
    groups: list[ProtectionGroup]
    servers: list[SnapshotServer]
    selected_waves: list[str]


class ServerRun(Record):
    """One server's progress in an execution."""

    source_server_id: str
    account_id: str
    region: str
    group_id: str
    hostname: str = ""
    optional: bool = False
    status: ServerStatus = ServerStatus.PENDING
    launch_status: DrsLaunchStatus | None = None
    batch_id: str | None = None
    job_id: str | None = None
    recovery_instance_id: str | None = None
    ec2_instance_id: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    error: str | None = None
    # Drill cleanup is recorded apart, so the launch evidence above is never overwritten.
    terminate_job_id: str | None = None
    terminated_at: datetime | None = None
    # The launch settings in effect for its (latest) launch, and what drorch changed for it.
    launch_settings: SettingsRecord | None = None


class StepUndo(Record):
    """A drill cleanup's undo of one step (the latest round's attempt)."""

    status: UndoStatus = UndoStatus.RUNNING
    started_at: datetime
    ended_at: datetime | None = None
    attempts: int = 0
    called: bool = False  # the executor answered the undo call
    not_before: datetime | None = None
    output: dict[str, Any] = Field(default_factory=dict)
    error_code: str | None = None
    error: str | None = None


class StepRun(Record):
    """One action of a wave as the execution runs it (kept inside its WaveRun record).

    `started_at` is when it went RUNNING. For a step with an executor, the intent is recorded
    (`intent_at`) and stored before the start call, whose answer sets `called_at`. A step
    with an intent but no answer (a crash, a lost reply) is reconciled with the service by
    its `idempotency_key` before it is ever started again.
    """

    name: str
    type: str
    phase: Literal["before", "after"]
    params: dict[str, Any] = Field(default_factory=dict)
    account_id: str | None = None
    region: str | None = None
    on_failure: Literal["fail_wave", "continue"] = "fail_wave"
    in_drill: Literal["run", "skip", "simulate"] = "run"  # resolved at start
    timeout_minutes: float = 60
    status: StepStatus = StepStatus.PENDING
    idempotency_key: str = ""
    attempts: int = 0  # calls made (start, polls after throttling)
    intent_at: datetime | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    not_before: datetime | None = None  # next call due (poll interval, throttling backoff)
    deadline: datetime | None = None  # the timeout, set when the step starts
    changed: dict[str, Any] = Field(default_factory=dict)  # what a drill's cleanup undoes
    output: dict[str, Any] = Field(default_factory=dict)
    error_code: str | None = None
    error: str | None = None
    decided_by: str | None = None  # an approval's approver (or decliner)
    comment: str | None = None
    undo: StepUndo | None = None

    @property
    def terminal(self) -> bool:
        """True once the step's status can no longer change."""
        return self.status in TERMINAL_STEPS


class WaveRun(Record):
    """One wave's progress; `depends_on` is effective (defaults filled, subset applied)."""

    name: str
    depends_on: list[str] = Field(default_factory=list)
    pause_before: bool = False
    released: bool = False
    status: WaveStatus = WaveStatus.PENDING
    servers: list[ServerRun] = Field(default_factory=list)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    steps: list[StepRun] = Field(default_factory=list)  # its actions, in plan order


class Batch(Record):
    """One DRS job drorch starts (or started): a LAUNCH for a wave chunk or a TERMINATE."""

    batch_id: str
    kind: BatchKind
    wave: str | None = None
    account_id: str
    region: str
    source_server_ids: list[str]
    recovery_instance_ids: list[str] = Field(default_factory=list)
    state: BatchState = BatchState.INTENDED
    job_id: str | None = None
    job_status: DrsJobStatus | None = None
    attempts: int = 0
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    last_error: str | None = None
    stall_warned: bool = False


class Retry(Record):
    """When a scope may be called again after throttling or a conflict, and how often it was."""

    attempts: int = 0
    not_before: datetime | None = None


class Pause(Record):
    """One stretch of time the execution spent PAUSED (`ended_at` None while it lasts)."""

    started_at: datetime
    ended_at: datetime | None = None
    rule: str = Field(description="pause (an operator) or hold (a pause_before wave).")


class Event(Model):
    """One entry of the timeline: who did what, when."""

    seq: int = 0
    at: datetime
    actor: str
    kind: str
    message: str
    wave: str | None = None
    source_server_id: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Execution(Record):
    """One run of a recovery plan."""

    id: str
    plan_id: str
    plan_name: str
    type: ExecutionType
    status: ExecutionStatus = ExecutionStatus.PENDING
    cleanup_status: CleanupStatus = CleanupStatus.NOT_APPLICABLE
    snapshot: Snapshot
    waves: list[WaveRun]
    batches: list[Batch] = Field(default_factory=list)
    leftovers: list[str] = Field(default_factory=list, description="Recovery instances left.")
    retries: dict[str, Retry] = Field(default_factory=dict, description="Per account/region.")
    paused_reason: str | None = None
    waiting_scopes: list[str] = Field(default_factory=list, description="Waiting for quota.")
    cleanup_started_at: datetime | None = None
    pauses: list[Pause] = Field(default_factory=list, description="Time spent PAUSED.")
    terminate_on_cancel: bool = False
    # Drills: cleanup starts this long after the end; None holds it until an operator asks.
    cleanup_after_minutes: float | None = None
    expected_job_seconds: float | None = None
    started_by: str
    version: int = 1
    created_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime
    next_look_at: datetime | None = None

    @property
    def is_drill(self) -> bool:
        """True for a drill (test recovery, cleaned up afterwards)."""
        return self.type == "DRILL"

    @property
    def terminal(self) -> bool:
        """True once the execution's status can no longer change."""
        return self.status in TERMINAL_STATUSES

    def wave(self, name: str) -> WaveRun:
        """The wave with this name."""
        for wave in self.waves:
            if wave.name == name:
                return wave
        raise KeyError(name)

    def servers(self) -> list[ServerRun]:
        """Every server of every wave."""
        return [s for wave in self.waves for s in wave.servers]

    def steps(self) -> list[StepRun]:
        """Every action step of every wave."""
        return [step for wave in self.waves for step in wave.steps]

    def batch(self, batch_id: str) -> Batch:
        """The batch with this id."""
        for batch in self.batches:
            if batch.batch_id == batch_id:
                return batch
        raise KeyError(batch_id)

    def open_batches(self) -> list[Batch]:
        """Batches whose DRS job has not ended yet (or whose start is unconfirmed)."""
        return [b for b in self.batches if b.state in ("INTENDED", "ACTIVE")]

    def needs_engine(self) -> bool:
        """True while the engine still has work: an active run, a cleanup in progress or due."""
        return (
            not self.terminal
            or self.cleanup_status == "IN_PROGRESS"
            or bool(self.open_batches())
            or self.cleanup_due_at is not None
        )

    @property
    def cleanup_due_at(self) -> datetime | None:
        """When an ended drill's automatic cleanup starts (None: not due, or held for good)."""
        if not (self.is_drill and self.terminal and self.cleanup_status == "NOT_STARTED"):
            return None
        if self.cleanup_after_minutes is None or self.ended_at is None:
            return None
        return self.ended_at + timedelta(minutes=self.cleanup_after_minutes)


class ExecutionSummary(Model):
    """A light row of an execution listing."""

    id: str
    plan_id: str
    plan_name: str
    type: ExecutionType
    status: ExecutionStatus
    cleanup_status: CleanupStatus
    servers: int
    created_at: datetime
    ended_at: datetime | None = None


class IntentState(StrEnum):
    """An intent's state (see Intent)."""

    OPEN = "OPEN"
    STARTED = "STARTED"
    ENDED = "ENDED"
    FAILED = "FAILED"


class Intent(Model):
    """A DRS job drorch is about to start or has started, recorded before the call.

    OPEN: recorded, the call's outcome unknown; STARTED: DRS returned the job id; ENDED:
    the job completed; FAILED: DRS refused the call, so no job exists. OPEN and STARTED
    intents hold quota capacity for every execution in the account and region.
    """

    execution_id: str
    batch_id: str
    attempt: int = 1
    kind: BatchKind
    execution_type: ExecutionType
    account_id: str
    region: str
    source_server_ids: list[str]
    state: IntentState = IntentState.OPEN
    job_id: str | None = None
    created_at: datetime
    # Recorded before any DRS or EC2 write: per server, what was found and what will change.
    launch_settings: list[SettingsRecord] = Field(default_factory=list)


OperatorAction = Literal["pause", "resume", "cancel", "terminate_instances", "approve", "decline"]


class Command(Model):
    """An operator action queued for the engine (applied in order on the next advance)."""

    seq: int = 0
    action: OperatorAction
    actor: str
    at: datetime
    terminate_instances: bool = False
    comment: str | None = None
    step: str | None = None  # approve/decline: the approval step's name


def scope_key(account_id: str, region: str) -> str:
    """The key of an account/region pair, e.g. `123456789012/us-east-1`."""
    return f"{account_id}/{region}"


def summarize(execution: Execution) -> ExecutionSummary:
    """The listing row of an execution."""
    return ExecutionSummary(
        id=execution.id,
        plan_id=execution.plan_id,
        plan_name=execution.plan_name,
        type=execution.type,
        status=execution.status,
        cleanup_status=execution.cleanup_status,
        servers=len(execution.snapshot.servers),
        created_at=execution.created_at,
        ended_at=execution.ended_at,
    )
