"""What one claimed run does: act as the owner, then start a drill, check readiness or back up.

Each kind turns its outcome into the run's status: a refusal the operator should see (plan
busy or not ready, owner disabled) is SKIPPED with its reasons, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drorch.domain.identity import PERMISSIONS, Principal, Source, role_within
from drorch.domain.readiness import ReadinessStatus, Trigger
from drorch.domain.schedules import KIND_PERMISSION, RunStatus, Schedule, ScheduleKind, ScheduleRun
from drorch.engine.wake import Waker
from drorch.errors import ConflictError, DrorchError, NotFoundError, ValidationError
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.schedules import BackupWriter, ReadinessCheck, ReadinessResult
from drorch.ports.store import Store
from drorch.services import executions, readiness
from drorch.services.audit import CLI_PRINCIPAL, AuditContext


@dataclass(frozen=True)
class Outcome:
    """How a run ended, before it is stored."""

    status: RunStatus
    message: str
    reasons: list[dict[str, Any]]
    execution_id: str | None = None
    detail: dict[str, Any] | None = None

    def applied(self, run: ScheduleRun, now: datetime) -> ScheduleRun:
        """The run with this outcome."""
        return run.ended(
            self.status,
            now,
            self.message,
            reasons=self.reasons,
            execution_id=self.execution_id,
            detail={**run.detail, **(self.detail or {})},
        )


def skipped(reason: str, message: str, **more: Any) -> Outcome:
    """A run that did not happen, and why."""
    return Outcome(RunStatus.SKIPPED, message, [{"reason": reason, "message": message, **more}])


@dataclass(frozen=True)
class RunTools:
    """What the kinds of run need: store, clock, DRS, the runner's waker, readiness, backups."""

    store: Store
    clock: Clock
    drs: DrsGateway | None
    waker: Waker | None
    readiness: ReadinessCheck
    backups: BackupWriter | None


def acting_owner(store: Store, schedule: Schedule) -> tuple[Principal | None, Outcome | None]:
    """The owner as a principal for this run, or the skip saying why they cannot act."""
    owner = schedule.owner
    if owner.subject == CLI_PRINCIPAL.subject:
        principal = CLI_PRINCIPAL
    else:
        with store.read() as uow:
            user = uow.users.get(owner.subject)
        if user is None:
            return None, skipped("owner-missing", f"the owner {owner.username} no longer exists")
        if not user.enabled:
            return None, skipped("owner-disabled", f"the owner {owner.username} is disabled")
        # Never more than the role the owner had when saving, nor more than they have now.
        role = user.role if role_within(user.role, owner.role) else owner.role
        principal = Principal(
            subject=user.id,
            username=user.username,
            display_name=user.display_name,
            role=role,
            source=Source.SCHEDULE,
        )
    needed = KIND_PERMISSION[schedule.kind]
    if needed not in PERMISSIONS[principal.role] or needed not in PERMISSIONS[owner.role]:
        message = f"the owner {owner.username} may no longer do this ({needed} is missing)"
        return None, skipped("owner-not-permitted", message, permission=needed.value)
    return principal, None


def run_kind(
    tools: RunTools, schedule: Schedule, run: ScheduleRun, principal: Principal
) -> Outcome:
    """Do what the schedule's kind does, as `principal`."""
    kinds: dict[ScheduleKind, Callable[..., Outcome]] = {
        ScheduleKind.DRILL: _drill,
        ScheduleKind.READINESS: _readiness,
        ScheduleKind.BACKUP: _backup,
    }
    return kinds[schedule.kind](tools, schedule, run, principal)


def _drill(tools: RunTools, schedule: Schedule, run: ScheduleRun, principal: Principal) -> Outcome:
    """Start a DRILL of the plan (its chosen waves); a refused start is a skip with reasons."""
    assert schedule.plan_id is not None  # a drill schedule always names its plan
    request = executions.StartRequest(
        plan_id_or_name=schedule.plan_id, type="DRILL", waves=schedule.waves
    )
    audit = AuditContext(principal, request_id=run.id, comment=f"schedule {schedule.name!r}")
    try:
        started = executions.start_execution(
            store=tools.store,
            drs=tools.drs,
            clock=tools.clock,
            request=request,
            audit=audit,
            waker=tools.waker,
        )
    except ConflictError as exc:
        reasons = list(exc.extra.get("conflicts") or [{"reason": "conflict"}])
        return Outcome(RunStatus.SKIPPED, exc.detail, reasons)
    except (NotFoundError, ValidationError) as exc:
        return skipped("plan-changed", exc.detail)
    return Outcome(RunStatus.STARTED, f"started DRILL {started.id}", [], execution_id=started.id)


def _readiness(
    tools: RunTools, schedule: Schedule, run: ScheduleRun, principal: Principal
) -> Outcome:
    """Check the plan's readiness; a plan that is running now is skipped, not judged."""
    assert schedule.plan_id is not None
    with tools.store.read() as uow:
        plan = uow.plans.get(schedule.plan_id)
        busy = [s for s in uow.executions.active_summaries() if s.plan_id == schedule.plan_id]
    if plan is None:
        return skipped("plan-missing", f"recovery plan {schedule.plan_id} no longer exists")
    if busy:
        message = f"plan {plan.name!r} is running as {busy[0].id} ({busy[0].status})"
        return skipped("plan-running", message, execution_id=busy[0].id)
    result = tools.readiness(schedule.plan_id, principal)
    return _judged(plan.name, result)


def _judged(plan_name: str, result: ReadinessResult) -> Outcome:
    detail = {"warnings": result.warnings}
    if result.ready:
        return Outcome(RunStatus.SUCCEEDED, f"plan {plan_name!r} is ready", [], detail=detail)
    first = result.reasons[0].get("message", "not ready") if result.reasons else "not ready"
    return Outcome(
        RunStatus.FAILED, f"plan {plan_name!r} is not ready: {first}", result.reasons, detail=detail
    )


def _backup(tools: RunTools, schedule: Schedule, run: ScheduleRun, principal: Principal) -> Outcome:
    """Write one backup archive and prune the old ones."""
    if tools.backups is None:
        return skipped("backup-unavailable", "this store cannot be backed up to a file")
    try:
        written = tools.backups(schedule.id, schedule.kept, tools.clock.now())
    except DrorchError as exc:
        return Outcome(RunStatus.FAILED, exc.detail, [{"reason": "backup-failed"}])
    except OSError as exc:
        return Outcome(RunStatus.FAILED, f"backup failed: {exc}", [{"reason": "backup-failed"}])
    return Outcome(RunStatus.SUCCEEDED, f"backup written to {written['path']}", [], detail=written)


def plan_readiness(ports: readiness.ReadinessPorts) -> ReadinessCheck:
    """The readiness check a schedule runs: every readiness check, kept in the plan's history."""

    def check(plan_id: str, principal: Principal) -> ReadinessResult:
        run = readiness.run_readiness(
            plan_id, trigger=Trigger.SCHEDULE, ports=ports, audit=AuditContext(principal)
        )
        return ReadinessResult(
            ready=run.status is ReadinessStatus.READY,
            reasons=[f.as_reason() for f in run.errors],
            warnings=[f.as_reason() for f in run.warnings],
        )

    return check
