"""Execution use cases: start a plan as a drill or recovery, watch it, steer it.

Operator actions (pause, resume, cancel, terminate-instances) are validated against the
current status (409 when not allowed), queued in the store for the engine, applied at once
when no worker is advancing the execution, and the runner is woken. The returned execution
is the stored state after that.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from drorch.domain.common import new_id
from drorch.domain.executions import (
    Command,
    Event,
    Execution,
    ExecutionStatus,
    ExecutionSummary,
    ExecutionType,
    OperatorAction,
)
from drorch.domain.identity import Permission
from drorch.domain.plans import RecoveryPlan
from drorch.engine import quotas
from drorch.engine import start as start_rules
from drorch.engine.advance import fold_commands_now
from drorch.engine.config import EngineConfig
from drorch.engine.rules import CANCEL, CLEANUP_START, PAUSE, RESUME
from drorch.engine.start import Reason
from drorch.engine.wake import NoWaker, Waker
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.store import ExecutionQuery, Page, Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.plans import find_plan

SYSTEM_ACTOR = "drorch"
LIMITS = EngineConfig().limits  # the quotas the engine will obey when the execution runs
PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}


class _WallClock:
    """UTC wall time, for callers that pass no clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        raise NotImplementedError("services never sleep")


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
) -> Execution:
    """Snapshot the plan and create a PENDING execution the runner picks up at once.

    Preflight raises ConflictError (409) listing every reason in `extra["conflicts"]`:
    plan invalid, plan already running, servers in another active execution, replication
    unhealthy (unless `request.allow_unhealthy`), no quota headroom (drills only: a RECOVERY always
    starts and gets capacity before drills), DRS not configured or not answering.
    Unknown plan -> NotFoundError; unknown wave names in `waves` -> ValidationError.
    A RECOVERY also needs recoveries:start (403 naming it).
    """
    if request.type == "RECOVERY" and audit.principal is not None:
        demand(audit.principal, Permission.RECOVERIES_START)
    prepared = _prepare(store, drs, clock, request, audit.actor)
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
) -> Preflight:
    """Run every check `start_execution` runs and report them, writing nothing.

    Same errors as a start for an unknown plan (NotFoundError) or wave (ValidationError);
    every refusal reason is in `reasons` instead of a ConflictError.
    """
    prepared = _prepare(store, drs, clock, request, SYSTEM_ACTOR)
    with store.read() as uow:
        return _verdict(uow, prepared, request.allow_unhealthy)


def _prepare(
    store: Store, drs: DrsGateway | None, clock: Clock | None, request: StartRequest, actor: str
) -> _Prepared:
    """Snapshot the plan and ask DRS about quotas, outside any write (DRS can be slow)."""
    clock = clock or _WallClock()
    plan = find_plan(store=store, id_or_name=request.plan_id_or_name)
    selected = start_rules.selected_waves(plan, request.waves)
    with store.read() as uow:
        snap, invalid = start_rules.load_snapshot(uow, plan, selected)
        quota = start_rules.quota_findings(
            snap, drs, uow, clock.now(), LIMITS, drill=request.type == "DRILL"
        )
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
        return _require(uow, execution_id)


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
        _require(uow, execution_id)
        return uow.executions.events_page(execution_id, cursor, limit)


def events_since(
    *, store: Store, execution_id: str, after_seq: int = 0, limit: int = 500
) -> list[Event]:
    """Events with `seq > after_seq`, oldest first: what a live stream (SSE) sends next."""
    with store.read() as uow:
        _require(uow, execution_id)
        return uow.executions.events_since(execution_id, after_seq, limit)


def pause(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
) -> Execution:
    """Stop starting new waves (running waves go on); 409 unless PENDING or RUNNING."""
    return _operate(store, execution_id, "pause", audit, clock, waker)


def resume(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
) -> Execution:
    """Go on after a pause or a `pause_before` hold; 409 unless PAUSED."""
    return _operate(store, execution_id, "resume", audit, clock, waker)


def cancel(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    terminate_instances: bool = False,
    clock: Clock | None = None,
    waker: Waker | None = None,
) -> Execution:
    """Start no new jobs, let running ones finish, end CANCELLED; 409 when already ended.

    `terminate_instances` (drills only, else 409) terminates what the drill launched once
    its jobs have finished.
    """
    return _operate(store, execution_id, "cancel", audit, clock, waker, terminate_instances)


def terminate_instances(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
) -> Execution:
    """Clean up a finished drill: terminate its recovery instances, track the TERMINATE job.

    409 for a recovery, a drill still running, or a cleanup already done or in progress.
    """
    return _operate(store, execution_id, "terminate_instances", audit, clock, waker)


def _operate(
    store: Store,
    execution_id: str,
    action: OperatorAction,
    audit: AuditContext,
    clock: Clock | None,
    waker: Waker | None,
    terminate: bool = False,
) -> Execution:
    clock = clock or _WallClock()
    now = clock.now()
    with store.transaction() as uow:
        current = _require(uow, execution_id)
        _check_recovery_permission(current, action, audit)
        _check_allowed(current, action, terminate)
        command = Command(
            action=action,
            actor=audit.actor,
            at=now,
            terminate_instances=terminate,
            comment=audit.comment,
        )
        uow.executions.add_command(execution_id, command)
        uow.executions.schedule(execution_id, now)
        detail = {"terminate_instances": terminate} if action == "cancel" else {}
        record(uow, f"execution.{action}", "execution", execution_id, audit=audit, detail=detail)
    owner = f"api:{secrets.token_hex(4)}"
    fold_commands_now(
        store=store, clock=clock, execution_id=execution_id, owner=owner, config=EngineConfig()
    )
    (waker or NoWaker()).wake(execution_id)
    return get_execution(store=store, execution_id=execution_id)


def _check_recovery_permission(ex: Execution, action: OperatorAction, audit: AuditContext) -> None:
    """A RECOVERY is steered with the recovery permissions, not the drill ones (403)."""
    if ex.is_drill or audit.principal is None:
        return
    needed = (
        Permission.RECOVERIES_TERMINATE
        if action == "terminate_instances"
        else Permission.RECOVERIES_OPERATE
    )
    demand(audit.principal, needed)


def _check_allowed(ex: Execution, action: OperatorAction, terminate: bool) -> None:
    if action == "terminate_instances":
        ok = ex.is_drill and ex.terminal and CLEANUP_START.allows(ex.cleanup_status)
        why = "only a finished drill whose cleanup has not run (or left instances) can be"
    elif action == "cancel" and terminate and not ex.is_drill:
        ok, why = False, "terminating instances on cancel applies to drills only; nothing was"
    else:
        rule = {"pause": PAUSE, "resume": RESUME, "cancel": CANCEL}[action]
        ok, why = rule.allows(ex.status), f"only {sorted(rule.sources)} executions can be"
    if not ok:
        verb = PAST.get(action, "cleaned up")
        raise ConflictError(
            f"execution {ex.id} is {ex.status} (cleanup {ex.cleanup_status}): {why} {verb}",
            conflicts=[{"field": "status", "value": ex.status, "action": action}],
        )


def _require(uow: UnitOfWork, execution_id: str) -> Execution:
    execution = uow.executions.get(execution_id)
    if execution is None:
        raise NotFoundError(f"execution {execution_id} does not exist")
    return execution
