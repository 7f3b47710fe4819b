"""Schedule use cases: create, change, remove, read, preview, and the history of runs.

Running them is services/scheduler.py. Saving a schedule makes the saver its owner: the
scheduled runs act as that person, so nobody can make a schedule do more than they may.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drorch.domain import cron
from drorch.domain.common import new_id, utcnow
from drorch.domain.identity import Permission, Principal
from drorch.domain.schedules import (
    KIND_PERMISSION,
    MAX_PREVIEW,
    PREVIEW_COUNT,
    Owner,
    Schedule,
    ScheduleDraft,
    ScheduleKind,
    ScheduleRun,
)
from drorch.engine.start import selected_waves
from drorch.errors import NotFoundError, UnauthenticatedError, ValidationError
from drorch.ports.clock import Clock
from drorch.ports.store import Page, Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.problems import require_version

NOUN = "schedule"
TIMING = ("cron", "timezone", "at", "enabled")


@dataclass(frozen=True)
class ScheduleView:
    """A schedule with what the scheduler knows of it: next due time and last run."""

    schedule: Schedule
    next_due_at: datetime | None
    last_run: ScheduleRun | None = None


@dataclass(frozen=True)
class Preview:
    """The next times a cron expression (or a one-off) would run, and what it means."""

    times: list[datetime]
    description: str


def create_schedule(
    *,
    store: Store,
    draft: ScheduleDraft,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
) -> ScheduleView:
    """Store a new schedule owned by the caller; 409 when its name is taken."""
    principal = _saver(audit, draft.kind)
    now = _now(clock)
    draft = _checked(store, draft, now)
    schedule = Schedule(
        **draft.model_dump(),
        id=new_id("sc"),
        owner=_owner(principal),
        created_by=principal.username,
        created_at=now,
        updated_at=now,
    )
    due = _first_due(schedule, now)
    with store.transaction() as uow:
        uow.schedules.add(schedule, next_due_at=due)
        record(uow, "schedule.create", NOUN, schedule.id, audit=audit, detail=_detail(schedule))
    return ScheduleView(schedule, due)


def update_schedule(
    *,
    store: Store,
    schedule_id: str,
    draft: ScheduleDraft,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
) -> ScheduleView:
    """Replace a schedule; the caller becomes its owner. 412 stale, 428 without a version."""
    principal = _saver(audit, draft.kind)
    now = _now(clock)
    draft = _checked(store, draft, now)
    with store.transaction() as uow:
        current = _require(uow, schedule_id)
        require_version(NOUN, schedule_id, current.version, if_match, named=version_named)
        demand(principal, KIND_PERMISSION[current.kind])
        schedule = Schedule(
            **draft.model_dump(),
            id=current.id,
            owner=_owner(principal),
            created_by=current.created_by,
            version=current.version + 1,
            created_at=current.created_at,
            updated_at=now,
        )
        due = _kept_due(uow, current, schedule, now)
        uow.schedules.update(schedule, expected_version=current.version, next_due_at=due)
        record(uow, "schedule.update", NOUN, schedule_id, audit=audit, detail=_detail(schedule))
    return ScheduleView(schedule, due)


def remove_schedule(
    *,
    store: Store,
    schedule_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Delete a schedule and its run history (the audit log keeps what it did)."""
    with store.transaction() as uow:
        current = _require(uow, schedule_id)
        require_version(NOUN, schedule_id, current.version, if_match, named=version_named)
        _saver(audit, current.kind)
        uow.schedules.delete(schedule_id, expected_version=if_match)
        record(uow, "schedule.delete", NOUN, schedule_id, audit=audit, detail=_detail(current))


def get_schedule(*, store: Store, schedule_id: str) -> ScheduleView:
    """One schedule (by id or name) with its next due time and last run."""
    with store.read() as uow:
        schedule = uow.schedules.get(schedule_id) or uow.schedules.find_by_name(schedule_id)
        if schedule is None:
            raise NotFoundError(f"no schedule has the id or name {schedule_id!r}")
        return _views(uow, [schedule])[0]


def list_schedules(
    *, store: Store, plan_id: str | None = None, kind: ScheduleKind | None = None
) -> list[ScheduleView]:
    """Every schedule by name, optionally of one plan or kind."""
    with store.read() as uow:
        found = [
            s
            for s in uow.schedules.all()
            if (plan_id is None or s.plan_id == plan_id) and (kind is None or s.kind == kind)
        ]
        return _views(uow, found)


def list_runs(
    *, store: Store, schedule_id: str, cursor: str | None = None, limit: int = 50
) -> Page[ScheduleRun]:
    """A page of a schedule's runs, newest first (404 for an unknown schedule)."""
    with store.read() as uow:
        _require(uow, schedule_id)
        return uow.schedules.runs_page(schedule_id, cursor, limit)


def preview(
    *,
    cron_expression: str,
    timezone: str = "UTC",
    count: int = PREVIEW_COUNT,
    after: datetime | None = None,
) -> Preview:
    """The next `count` run times of an expression in a zone; 422 naming the bad field."""
    if not 1 <= count <= MAX_PREVIEW:
        raise _invalid("count", f"must be between 1 and {MAX_PREVIEW}")
    try:
        cron.check_cron(cron_expression.strip())
    except ValueError as exc:
        raise _invalid("cron", str(exc)) from None
    try:
        cron.zone(timezone)
    except ValueError as exc:
        raise _invalid("tz", str(exc)) from None
    times = cron.next_times(cron_expression.strip(), timezone, after or utcnow(), count)
    return Preview(times=times, description=cron.describe(cron_expression.strip()))


def _saver(audit: AuditContext, kind: ScheduleKind) -> Principal:
    """The principal saving a schedule, after checking they may keep one of this kind."""
    principal = audit.principal
    if principal is None:
        raise UnauthenticatedError("sign in first: a schedule runs as the person who saved it")
    demand(principal, Permission.SCHEDULES_WRITE)
    demand(principal, KIND_PERMISSION[kind])
    return principal


def _owner(principal: Principal) -> Owner:
    return Owner(subject=principal.subject, username=principal.username, role=principal.role)


def _checked(store: Store, draft: ScheduleDraft, now: datetime) -> ScheduleDraft:
    """The draft with its plan named by id; unknown plans, waves or past times refused."""
    if draft.at is not None and draft.at <= now:
        raise _invalid("at", "must be in the future (a one-off time that has passed never runs)")
    if draft.plan_id is None:
        return draft
    with store.read() as uow:
        plan = uow.plans.get(draft.plan_id) or uow.plans.find_by_name(draft.plan_id)
    if plan is None:
        raise _invalid("plan_id", f"no recovery plan has the id or name {draft.plan_id!r}")
    if draft.waves is not None:
        if not draft.waves:
            raise _invalid("waves", "name at least one wave, or leave waves out for all")
        selected_waves(plan, draft.waves)  # ValidationError naming unknown waves
    return draft.model_copy(update={"plan_id": plan.id})


def _first_due(schedule: Schedule, now: datetime) -> datetime | None:
    return schedule.next_due(now) if schedule.enabled else None


def _kept_due(uow: UnitOfWork, old: Schedule, new: Schedule, now: datetime) -> datetime | None:
    """Keep a pending due time when the timing did not change, else start from now."""
    if all(getattr(old, f) == getattr(new, f) for f in TIMING):
        return uow.schedules.next_due_of([old.id]).get(old.id)
    return _first_due(new, now)


def _views(uow: UnitOfWork, schedules: list[Schedule]) -> list[ScheduleView]:
    ids = [s.id for s in schedules]
    due = uow.schedules.next_due_of(ids) if ids else {}
    last = uow.schedules.last_runs(ids) if ids else {}
    return [ScheduleView(s, due.get(s.id), last.get(s.id)) for s in schedules]


def _require(uow: UnitOfWork, schedule_id: str) -> Schedule:
    schedule = uow.schedules.get(schedule_id)
    if schedule is None:
        raise NotFoundError(f"schedule {schedule_id} does not exist")
    return schedule


def _detail(schedule: Schedule) -> dict[str, object]:
    timing = {"cron": schedule.cron, "timezone": schedule.timezone} if schedule.cron else {}
    at = {"at": schedule.at.isoformat()} if schedule.at else {}
    return {
        "name": schedule.name,
        "kind": schedule.kind.value,
        "plan_id": schedule.plan_id,
        "enabled": schedule.enabled,
        **timing,
        **at,
    }


def _invalid(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path} {message}", [{"path": path, "message": message}])


def _now(clock: Clock | None) -> datetime:
    return clock.now() if clock is not None else utcnow()
