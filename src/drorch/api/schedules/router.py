"""/api/v1/schedules: drills, readiness runs and backups on a cron or at a fixed time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import ContainerDep, IfMatch, StoreDep, set_etag
from drorch.api.echo import split_echo
from drorch.api.pagination import PageRead
from drorch.api.query import documented, query_of
from drorch.api.schedules.schemas import (
    PreviewQuery,
    PreviewRead,
    RunListQuery,
    ScheduleCreate,
    ScheduleListQuery,
    ScheduleRead,
    ScheduleUpdate,
)
from drorch.api.security import audited, require
from drorch.bootstrap import Container
from drorch.domain import cron
from drorch.domain.common import echo_problems
from drorch.domain.identity import Permission, Principal
from drorch.domain.schedules import ScheduleDraft, ScheduleKind, ScheduleRun
from drorch.services import schedules
from drorch.services.audit import AuditContext
from drorch.services.problems import raise_if_problems
from drorch.services.scheduler import Scheduler
from drorch.services.schedules import ScheduleView

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules"])
P = Permission
# Worked out anew on every read (or set by the save itself): no claim on the client's side.
NAME_TAKEN: dict[int | str, dict[str, object]] = {409: {"description": "The name is taken"}}
IGNORED_ECHO = {"owner", "next_due_at", "next_runs", "description", "last_run"}


@router.get("", openapi_extra=documented(ScheduleListQuery))
def list_schedules(
    store: StoreDep,
    _: Annotated[Principal, require(P.SCHEDULES_READ)],
    params: Annotated[ScheduleListQuery, query_of(ScheduleListQuery)],
) -> list[ScheduleRead]:
    """Every schedule by name, with its next due time and last run."""
    kind = ScheduleKind(params.kind) if params.kind else None
    found = schedules.list_schedules(store=store, plan_id=params.plan_id, kind=kind)
    return [_read(v) for v in found]


@router.get("/preview", openapi_extra=documented(PreviewQuery))
def preview_schedule(
    _: Annotated[Principal, require(P.SCHEDULES_READ)],
    params: Annotated[PreviewQuery, query_of(PreviewQuery)],
) -> PreviewRead:
    """The next times a cron expression runs in a time zone (DST as cron handles it)."""
    found = schedules.preview(cron_expression=params.cron, timezone=params.tz, count=params.count)
    return PreviewRead(times=found.times, description=found.description, timezone=params.tz)


@router.post("", status_code=status.HTTP_201_CREATED, responses=NAME_TAKEN)
def create_schedule(
    body: ScheduleCreate,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.SCHEDULES_WRITE, "schedule.create")],
) -> ScheduleRead:
    """Create a schedule that runs as you; 409 when the name is taken.

    The service also demands what the kind runs: drills:start (drill, readiness) or
    backups:write (backup).
    """
    draft = ScheduleDraft.model_validate(body.model_dump())
    view = schedules.create_schedule(store=container.store, draft=draft, audit=audit)
    _wake(container)
    set_etag(response, view.schedule.version)
    response.headers["Location"] = f"{router.prefix}/{view.schedule.id}"
    return _read(view)


@router.get("/{schedule_id}")
def get_schedule(
    schedule_id: str,
    store: StoreDep,
    response: Response,
    _: Annotated[Principal, require(P.SCHEDULES_READ)],
) -> ScheduleRead:
    """One schedule (by id or name)."""
    view = schedules.get_schedule(store=store, schedule_id=schedule_id)
    set_etag(response, view.schedule.version)
    return _read(view)


@router.put("/{schedule_id}", responses=NAME_TAKEN)
def update_schedule(
    schedule_id: str,
    body: ScheduleUpdate,
    container: ContainerDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.SCHEDULES_WRITE, "schedule.update")],
) -> ScheduleRead:
    """Replace a schedule; you become its owner. 412 on a stale version, 428 without one."""
    draft, echoed = split_echo(body, ScheduleDraft)
    current = schedules.get_schedule(store=container.store, schedule_id=schedule_id)
    shown = current.schedule.model_dump()
    checked = {k: v for k, v in echoed.items() if k not in IGNORED_ECHO}
    if body.version in (None, current.schedule.version):  # a stale copy is told so first (412)
        raise_if_problems(echo_problems(checked, shown), "schedule")
    view = schedules.update_schedule(
        store=container.store,
        schedule_id=current.schedule.id,
        draft=ScheduleDraft.model_validate(draft.model_dump()),
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        audit=audit,
    )
    _wake(container)
    set_etag(response, view.schedule.version)
    return _read(view)


@router.delete("/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_schedule(
    schedule_id: str,
    container: ContainerDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.SCHEDULES_WRITE, "schedule.delete")],
) -> Response:
    """Delete a schedule and its run history; 428 without If-Match."""
    schedules.remove_schedule(
        store=container.store,
        schedule_id=schedule_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{schedule_id}/runs", openapi_extra=documented(RunListQuery))
def list_runs(
    schedule_id: str,
    store: StoreDep,
    _: Annotated[Principal, require(P.SCHEDULES_READ)],
    params: Annotated[RunListQuery, query_of(RunListQuery)],
) -> PageRead[ScheduleRun]:
    """A page of the schedule's runs, newest first: started, skipped (with reasons), late."""
    page = schedules.list_runs(store=store, schedule_id=schedule_id, **params.model_dump())
    return PageRead(items=page.items, next_cursor=page.next_cursor)


def _read(view: ScheduleView) -> ScheduleRead:
    schedule = view.schedule
    now = datetime.now(UTC)
    return ScheduleRead.model_validate(
        {
            **schedule.model_dump(),
            "next_due_at": view.next_due_at,
            "next_runs": schedule.preview(now) if schedule.enabled else [],
            "description": _describe(schedule.cron, schedule.at),
            "last_run": view.last_run,
        }
    )


def _describe(expression: str | None, at: datetime | None) -> str:
    if expression is not None:
        return cron.describe(expression)
    return f"Once at {at.isoformat()}" if at else ""


def _wake(container: Container) -> None:
    """Let this process's scheduler see the change at once."""
    for worker in container.background:
        if isinstance(worker, Scheduler):
            worker.wake()
