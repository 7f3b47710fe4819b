"""Execution use cases: start a plan as a drill or recovery (after its preflight), watch it.

Steering a running execution (pause, resume, cancel, terminate) is services/execution_actions.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from drorch.domain.common import new_id
from drorch.domain.executions import (
    Event,
    Execution,
    ExecutionStatus,
    ExecutionSummary,
    ExecutionType,
)
from drorch.domain.identity import Permission
from drorch.domain.plans import RecoveryPlan
from drorch.engine import quotas
from drorch.engine import start as start_rules
from drorch.engine.config import EngineConfig
from drorch.engine.retrying import ReadRetry
from drorch.engine.start import Reason
from drorch.engine.wake import NoWaker, Waker
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.store import ExecutionQuery, Page, Store, UnitOfWork
from drorch.services import launch_checks
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.plans import find_plan

SYSTEM_ACTOR = "drorch"
LIMITS = EngineConfig().limits  # the quotas the engine will obey when the execution runs


class WallClock:
    """UTC wall time, for callers that pass no clock (the preflight waits out throttling)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


@dataclass(frozen=True)
class StartRequest:
    """What an operator asks to start: a plan as a drill or a recovery, maybe some waves."""

    plan_id_or_name: str
    type: ExecutionType
    waves: Sequence[str] | None = None
    allow_unhealthy: bool = False


@dataclass(frozen=True)
class WaveForecast:
    """One wave as a start would run it: its servers and the DRS jobs they need."""

    name: str
    depends_on: list[str]
    pause_before: bool
    server_count: int
    job_count: int


@dataclass(frozen=True)
class Preflight:
    """What starting would run, every reason it would be refused, and warnings that do not."""

    plan: RecoveryPlan
    execution: Execution  # built as a start would build it; never stored
    reasons: list[Reason]
    warnings: list[Reason]

    @property
    def ok(self) -> bool:
        """True when a start with the same request would be accepted now."""
        return not self.reasons

    @property
    def server_count(self) -> int:
        """Servers the execution would launch."""
        return len(self.execution.snapshot.servers)

    def waves(self) -> list[WaveForecast]:
        """The selected waves in plan order."""
        per_job = LIMITS.servers_per_job
        return [
            WaveForecast(
                name=w.name,
                depends_on=list(w.depends_on),
                pause_before=w.pause_before,
                server_count=len(w.servers),
                job_count=len(quotas.chunks([s.source_server_id for s in w.servers], per_job)),
            )
            for w in self.execution.waves
        ]


@dataclass(frozen=True)
class _Prepared:
    """Preflight findings read before the verdict, with the execution a start would add."""

    plan: RecoveryPlan
    execution: Execution
    invalid: list[Reason]
    quota: start_rules.Findings


def start_execution(
    *,
    store: Store,
    drs: DrsGateway | None,
    clock: Clock | None = None,
    request: StartRequest,
    audit: AuditContext = SYSTEM_AUDIT,
    waker: Waker | None = None,
    read_retry: ReadRetry | None = None,
    ec2: Ec2Gateway | None = None,
) -> Execution:
    """Snapshot the plan and create a PENDING execution the runner picks up at once.

    Preflight raises ConflictError (409) listing every reason in `extra["conflicts"]`:
    plan invalid, plan already running, servers in another active execution, replication
    unhealthy (unless `request.allow_unhealthy`), no quota headroom (drills only: a RECOVERY always
    starts and gets capacity before drills), DRS not configured or not answering, or DRS
    still throttling after the retries `read_retry` allows (waited on `clock`).
    Unknown plan -> NotFoundError; unknown wave names in `waves` -> ValidationError.
    A RECOVERY also needs recoveries:start (403 naming it). With `ec2`, launch settings are
    checked against the target accounts too (services/launch_checks.py).
    """
    if request.type == "RECOVERY" and audit.principal is not None:
        demand(audit.principal, Permission.RECOVERIES_START)
    prepared = _prepare(store, drs, clock, request, audit.actor, read_retry, ec2)
    execution = prepared.execution
    with store.transaction() as uow:
        # Checked in the writing transaction, so no other start slips in between.
        verdict = _verdict(uow, prepared, request.allow_unhealthy)
        _raise_reasons(verdict.reasons, verdict.plan.name)
        uow.executions.add(execution)
        uow.executions.append_events(execution.id, [_created_event(execution, audit.comment)])
        uow.executions.schedule(execution.id, execution.created_at)
        detail = {"plan_id": execution.plan_id, "type": execution.type}
        record(uow, "execution.start", "execution", execution.id, audit=audit, detail=detail)
    (waker or NoWaker()).wake(execution.id)
    return execution


def preflight_execution(
    *,
    store: Store,
    drs: DrsGateway | None,
    clock: Clock | None = None,
    request: StartRequest,
    read_retry: ReadRetry | None = None,
    ec2: Ec2Gateway | None = None,
) -> Preflight:
    """Run every check `start_execution` runs and report them, writing nothing.

    Same errors as a start for an unknown plan (NotFoundError) or wave (ValidationError);
    every refusal reason is in `reasons` instead of a ConflictError.
    """
    prepared = _prepare(store, drs, clock, request, SYSTEM_ACTOR, read_retry, ec2)
    with store.read() as uow:
        return _verdict(uow, prepared, request.allow_unhealthy)


def _prepare(
    store: Store,
    drs: DrsGateway | None,
    clock: Clock | None,
    request: StartRequest,
    actor: str,
    read_retry: ReadRetry | None,
    ec2: Ec2Gateway | None = None,
) -> _Prepared:
    """Snapshot the plan and ask DRS about quotas, outside any write (DRS can be slow)."""
    clock = clock or WallClock()
    plan = find_plan(store=store, id_or_name=request.plan_id_or_name)
    selected = start_rules.selected_waves(plan, request.waves)
    with store.read() as uow:
        snap, invalid = start_rules.load_snapshot(uow, plan, selected)
        quota = start_rules.quota_findings(
            snap, drs, uow, clock, LIMITS, drill=request.type == "DRILL", retry=read_retry
        )
        if ec2 is not None and not invalid:
            invalid = invalid + launch_checks.snapshot_reasons(snap, uow, ec2=ec2, drs=drs)
    execution = start_rules.build_execution(
        execution_id=new_id("ex"), type=request.type, snap=snap, actor=actor, now=clock.now()
    )
    return _Prepared(plan=plan, execution=execution, invalid=invalid, quota=quota)


def _verdict(uow: UnitOfWork, prepared: _Prepared, allow_unhealthy: bool) -> Preflight:
    """Add what other executions hold right now to the prepared findings."""
    snap = prepared.execution.snapshot
    servers = start_rules.server_findings(snap, uow.executions.busy_servers(), allow_unhealthy)
    reasons = [
        *prepared.invalid,
        *_running_reasons(uow, prepared.plan.id),
        *servers.reasons,
        *prepared.quota.reasons,
    ]
    warnings = [*servers.warnings, *prepared.quota.warnings, *start_rules.wave_warnings(snap)]
    return Preflight(
        plan=prepared.plan, execution=prepared.execution, reasons=reasons, warnings=warnings
    )


def _running_reasons(uow: UnitOfWork, plan_id: str) -> list[Reason]:
    return [
        {
            "reason": "plan-running",
            "execution_id": s.id,
            "message": f"plan {s.plan_name!r} is already running as {s.id} ({s.status})",
        }
        for s in uow.executions.active_summaries()
        if s.plan_id == plan_id
    ]


def _raise_reasons(reasons: list[Reason], plan_name: str) -> None:
    if reasons:
        first = reasons[0]["message"]
        more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
        raise ConflictError(f"cannot start plan {plan_name!r}: {first}{more}", conflicts=reasons)


def _created_event(execution: Execution, comment: str | None) -> Event:
    data: dict[str, object] = {"waves": [w.name for w in execution.waves]}
    if comment:
        data["comment"] = comment
    return Event(
        at=execution.created_at,
        actor=execution.started_by,
        kind="execution.created",
        message=f"{execution.type} of plan {execution.plan_name!r} requested with "
        f"{len(execution.snapshot.servers)} server(s) in {len(execution.waves)} wave(s)",
        data=data,
    )


def get_execution(*, store: Store, execution_id: str) -> Execution:
    """One execution with its waves, servers, batches (DRS jobs) and timings."""
    with store.read() as uow:
        return require_execution(uow, execution_id)


def list_executions(
    *,
    store: Store,
    plan_id: str | None = None,
    status: ExecutionStatus | None = None,
    type: ExecutionType | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ExecutionSummary]:
    """A page of executions, newest first, filtered by plan id, status and type."""
    query = ExecutionQuery(plan_id=plan_id, status=status, type=type, cursor=cursor, limit=limit)
    with store.read() as uow:
        return uow.executions.page(query)


def list_events(
    *, store: Store, execution_id: str, cursor: str | None = None, limit: int = 100
) -> Page[Event]:
    """A page of the execution's timeline, oldest first (404 for an unknown execution)."""
    with store.read() as uow:
        require_execution(uow, execution_id)
        return uow.executions.events_page(execution_id, cursor, limit)


def events_since(
    *, store: Store, execution_id: str, after_seq: int = 0, limit: int = 500
) -> list[Event]:
    """Events with `seq > after_seq`, oldest first: what a live stream (SSE) sends next."""
    with store.read() as uow:
        require_execution(uow, execution_id)
        return uow.executions.events_since(execution_id, after_seq, limit)


def require_execution(uow: UnitOfWork, execution_id: str) -> Execution:
    """The execution, read in `uow`; NotFoundError (404) when there is none."""
    execution = uow.executions.get(execution_id)
    if execution is None:
        raise NotFoundError(f"execution {execution_id} does not exist")
    return execution
