"""Execution use cases: start a plan as a drill or recovery (after its preflight), watch it.

Steering a running execution (pause, resume, cancel, terminate) is services/execution_actions.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from drorch.domain.common import new_id
from drorch.domain.executions import Event, Execution, ExecutionSummary, ExecutionType
from drorch.domain.identity import Permission
from drorch.domain.plans import CleanupAfter, RecoveryPlan
from drorch.domain.readiness import Finding, Severity, Trigger
from drorch.domain.statuses import ExecutionStatus
from drorch.engine import quotas
from drorch.engine import start as start_rules
from drorch.engine.config import DEFAULT_CONFIG, EngineConfig
from drorch.engine.retrying import ReadRetry
from drorch.engine.start import Reason
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.clock import WALL_CLOCK, Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.execution_store import ExecutionQuery
from drorch.ports.store import Page, Store, UnitOfWork
from drorch.ports.waker import NoWaker, Waker
from drorch.services import readiness
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.plans import find_plan
from drorch.services.readiness_checks import CHECKS, Policy

SYSTEM_ACTOR = "drorch"
OVERRIDE_HINT = "start with allow_unhealthy to override"


@dataclass(frozen=True)
class StartRequest:
    """What an operator asks to start: a plan as a drill or a recovery, maybe some waves."""

    plan_id_or_name: str
    type: ExecutionType
    waves: Sequence[str] | None = None
    allow_unhealthy: bool = False
    cleanup_after_minutes: CleanupAfter | None = None  # a drill's hold; None: the plan's


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
    limits: quotas.Limits = field(default_factory=quotas.Limits)  # what the engine will obey

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
        per_job = self.limits.servers_per_job
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
    """The readiness checks run before the verdict, with the execution a start would add."""

    plan: RecoveryPlan
    execution: Execution
    evaluation: readiness.Evaluation
    limits: quotas.Limits


def start_execution(
    *,
    store: Store,
    drs: DrsGateway | None,
    clock: Clock | None = None,
    request: StartRequest,
    audit: AuditContext = SYSTEM_AUDIT,
    waker: Waker | None = None,
    read_retry: ReadRetry | None = None,
    policy: Policy | None = None,
    listeners: Sequence[readiness.ReadinessListener] = (),
    config: EngineConfig | None = None,
    ports: readiness.ReadinessPorts | None = None,
) -> Execution:
    """Run the plan's readiness checks, then snapshot it as a PENDING execution the runner takes.

    The checks (services/readiness_checks.py) are the preflight: a refusal raises
    ConflictError (409) listing every error in `extra["conflicts"]`: plan invalid, plan
    already running, servers in another active execution, replication unhealthy or lagging
    (unless `request.allow_unhealthy`), no quota headroom (drills only: a RECOVERY always
    starts and gets capacity before drills), DRS not configured or not answering, or DRS
    still throttling after the retries `read_retry` allows (waited on `clock`). The run is
    kept in the readiness history either way (trigger `start`).
    Unknown plan -> NotFoundError; unknown wave names in `waves` -> ValidationError.
    A RECOVERY also needs recoveries:start (403 naming it). `ports` (bootstrap.readiness_ports)
    give the checks the process's EC2, so launch settings are checked against the target
    accounts too (services/launch_checks.py); `policy` overrides theirs.
    """
    if request.type == "RECOVERY" and audit.principal is not None:
        demand(audit.principal, Permission.RECOVERIES_START)
    clock = clock or WALL_CLOCK
    checks = _ports(store, drs, clock, read_retry, policy, config, ports)
    prepared = _prepare(checks, request, audit.actor, Trigger.START)
    execution = prepared.execution
    with store.transaction() as uow:
        # Checked in the writing transaction, so no other start slips in between.
        previous, run = readiness.finish(uow, prepared.evaluation, by=audit.actor)
        verdict = _verdict(prepared, run.findings, request.allow_unhealthy)
        if verdict.ok:
            uow.executions.add(execution)
            uow.executions.append_events(execution.id, [_created_event(execution, audit.comment)])
            uow.executions.schedule(execution.id, execution.created_at)
            detail = {"plan_id": execution.plan_id, "type": execution.type, "readiness": run.id}
            record(uow, "execution.start", "execution", execution.id, audit=audit, detail=detail)
    readiness.announce_start(listeners, previous, run)
    # Raised after the commit: the refused start's readiness run is kept.
    _raise_reasons(verdict.reasons, verdict.plan.name)
    (waker or NoWaker()).wake(execution.id)
    return execution


def preflight_execution(
    *,
    store: Store,
    drs: DrsGateway | None,
    clock: Clock | None = None,
    request: StartRequest,
    read_retry: ReadRetry | None = None,
    policy: Policy | None = None,
    config: EngineConfig | None = None,
    ports: readiness.ReadinessPorts | None = None,
) -> Preflight:
    """Run every check `start_execution` runs and report them, writing nothing.

    Same errors as a start for an unknown plan (NotFoundError) or wave (ValidationError);
    every refusal reason is in `reasons` instead of a ConflictError.
    """
    checks = _ports(store, drs, clock or WALL_CLOCK, read_retry, policy, config, ports)
    prepared = _prepare(checks, request, SYSTEM_ACTOR, Trigger.START)
    with store.read() as uow:
        findings = readiness.complete(prepared.evaluation, uow)
    return _verdict(prepared, findings, request.allow_unhealthy)


def _ports(
    store: Store,
    drs: DrsGateway | None,
    clock: Clock,
    read_retry: ReadRetry | None,
    policy: Policy | None,
    config: EngineConfig | None,
    ports: readiness.ReadinessPorts | None,
) -> readiness.ReadinessPorts:
    given = policy or (ports.policy if ports is not None else Policy())
    base = replace(given, limits=(config or DEFAULT_CONFIG).limits)
    chosen = replace(base, retry=read_retry) if read_retry is not None else base
    # Only the process's EC2 and hub accounts come from `ports`: a start asks no account probe.
    ec2 = ports.ec2 if ports is not None else None
    hub = ports.hub_accounts if ports is not None else ()  # fleet accounts need no role
    return readiness.ReadinessPorts(
        store=store, drs=drs, clock=clock, policy=chosen, ec2=ec2, hub_accounts=hub
    )


def _prepare(
    ports: readiness.ReadinessPorts, request: StartRequest, actor: str, trigger: Trigger
) -> _Prepared:
    """Snapshot the plan and run the checks that ask DRS, outside any write (DRS can be slow)."""
    plan = find_plan(store=ports.store, id_or_name=request.plan_id_or_name)
    evaluation = readiness.prepare(
        ports, plan, request.waves, trigger=trigger, drill=request.type == "DRILL"
    )
    execution = start_rules.build_execution(
        execution_id=new_id("ex"),
        type=request.type,
        snap=evaluation.ctx.snap,
        actor=actor,
        now=ports.clock.now(),
        cleanup_after_minutes=start_rules.cleanup_hold(
            request.type, plan, request.cleanup_after_minutes
        ),
    )
    return _Prepared(
        plan=plan, execution=execution, evaluation=evaluation, limits=ports.policy.limits
    )


def _verdict(prepared: _Prepared, findings: list[Finding], allow_unhealthy: bool) -> Preflight:
    """Errors refuse the start, warnings do not; `allow_unhealthy` demotes replication errors."""
    overridable = {c.id for c in CHECKS if c.overridable}
    reasons: list[Reason] = []
    warnings: list[Reason] = []
    for found in findings:
        if found.severity is Severity.INFO:
            continue
        reason = found.as_reason()
        if found.check in overridable and found.severity is Severity.ERROR:
            hint = "accepted by allow_unhealthy" if allow_unhealthy else OVERRIDE_HINT
            reason["message"] = f"{found.message} ({hint})"
            (warnings if allow_unhealthy else reasons).append(reason)
        else:
            (reasons if found.severity is Severity.ERROR else warnings).append(reason)
    return Preflight(
        plan=prepared.plan,
        execution=prepared.execution,
        reasons=reasons,
        warnings=warnings,
        limits=prepared.limits,
    )


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
