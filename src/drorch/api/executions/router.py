"""/api/v1/executions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.executions.schemas import (
    CancelCreate,
    EventListQuery,
    EventRead,
    ExecutionCreate,
    ExecutionListQuery,
    ExecutionRead,
    ExecutionSummaryRead,
    OperatorActionCreate,
    PreflightRead,
    execution_read,
    preflight_read,
)
from drorch.api.executions.slots import LiveStreams, SlotStreamingResponse, live_streams
from drorch.api.executions.stream import MAX_SEQ, StreamBounds, execution_stream
from drorch.api.pagination import PageRead
from drorch.api.query import documented, query_of
from drorch.api.security import audited, require
from drorch.bootstrap import Container
from drorch.config import Settings
from drorch.domain.common import utcnow
from drorch.domain.executions import Execution
from drorch.domain.identity import Permission, Principal
from drorch.engine.retrying import ReadRetry
from drorch.engine.runner import waker_of
from drorch.engine.wake import Waker
from drorch.errors import ValidationError
from drorch.ports.clock import Clock
from drorch.services import execution_actions, executions
from drorch.services.audit import AuditContext

router = APIRouter(prefix="/api/v1/executions", tags=["executions"])
P = Permission

ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown execution"},
    409: {"description": "Not allowed in the execution's current state"},
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "Preflight failed; `conflicts` lists every reason"}},
)
def start_execution(
    body: ExecutionCreate,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.DRILLS_START, "execution.start")],
) -> ExecutionRead:
    """Start a plan as a drill or a recovery (needs recoveries:start), after a preflight."""
    execution = executions.start_execution(
        store=container.store,
        drs=container.drs,
        clock=_clock(container),
        request=_start_request(body),
        audit=audit.with_comment(body.comment),
        waker=_waker(container),
        read_retry=_read_retry(container),
        ec2=container.ec2,
    )
    response.headers["Location"] = f"{router.prefix}/{execution.id}"
    return _read(container, execution)


@router.post(
    "/preflight",
    response_model_exclude_none=True,  # each finding carries only the fields of its kind
    responses={
        404: {"description": "Unknown plan (problem+json)"},
        422: {"description": "Invalid body or unknown wave; `errors` names each field"},
    },
)
def preflight_execution(
    body: ExecutionCreate,
    container: ContainerDep,
    _: Annotated[Principal, require(P.DRILLS_START)],
) -> PreflightRead:
    """Run the start's preflight for the same body and report it; starts and writes nothing."""
    preflight = executions.preflight_execution(
        store=container.store,
        drs=container.drs,
        clock=_clock(container),
        request=_start_request(body),
        read_retry=_read_retry(container),
        ec2=container.ec2,
    )
    return preflight_read(preflight)


@router.get("", openapi_extra=documented(ExecutionListQuery))
def list_executions(
    store: StoreDep,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    params: Annotated[ExecutionListQuery, query_of(ExecutionListQuery)],
) -> PageRead[ExecutionSummaryRead]:
    """A page of executions, newest first."""
    page = executions.list_executions(store=store, **params.model_dump())
    items = [ExecutionSummaryRead.model_validate(s.model_dump()) for s in page.items]
    return PageRead(items=items, next_cursor=page.next_cursor)


@router.get("/{execution_id}")
def get_execution(
    execution_id: str,
    container: ContainerDep,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
) -> ExecutionRead:
    """One execution: waves, servers, DRS jobs, instance ids and timings."""
    return _read(
        container, executions.get_execution(store=container.store, execution_id=execution_id)
    )


@router.post("/{execution_id}/pause", responses=ACTION_RESPONSES)
def pause_execution(
    execution_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_OPERATE, "execution.pause")],
    body: OperatorActionCreate | None = None,
) -> ExecutionRead:
    """Start no new wave; running waves go on (a RECOVERY needs recoveries:operate)."""
    return _operate(container, execution_actions.pause, execution_id, _with(audit, body))


@router.post("/{execution_id}/resume", responses=ACTION_RESPONSES)
def resume_execution(
    execution_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_OPERATE, "execution.resume")],
    body: OperatorActionCreate | None = None,
) -> ExecutionRead:
    """Go on after a pause or a wave's pause_before hold (a RECOVERY: recoveries:operate)."""
    return _operate(container, execution_actions.resume, execution_id, _with(audit, body))


@router.post("/{execution_id}/cancel", responses=ACTION_RESPONSES)
def cancel_execution(
    execution_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_OPERATE, "execution.cancel")],
    body: CancelCreate | None = None,
) -> ExecutionRead:
    """Start no new jobs, let running ones finish; drills may terminate what they launched."""
    terminate = bool(body and body.terminate_instances)
    return _operate(
        container,
        execution_actions.cancel,
        execution_id,
        _with(audit, body),
        terminate_instances=terminate,
    )


@router.post("/{execution_id}/terminate-instances", responses=ACTION_RESPONSES)
def terminate_instances(
    execution_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.DRILLS_TERMINATE, "execution.terminate_instances")],
    body: OperatorActionCreate | None = None,
) -> ExecutionRead:
    """Clean up a finished drill: terminate its recovery instances and track the job."""
    return _operate(
        container, execution_actions.terminate_instances, execution_id, _with(audit, body)
    )


@router.get("/{execution_id}/events", openapi_extra=documented(EventListQuery))
def list_events(
    execution_id: str,
    store: StoreDep,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    params: Annotated[EventListQuery, query_of(EventListQuery)],
) -> PageRead[EventRead]:
    """A page of the execution's timeline, oldest first."""
    page = executions.list_events(store=store, execution_id=execution_id, **params.model_dump())
    items = [EventRead.model_validate(e.model_dump()) for e in page.items]
    return PageRead(items=items, next_cursor=page.next_cursor)


@router.get(
    "/{execution_id}/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "SSE messages"}},
)
def stream_execution(
    execution_id: str,
    container: ContainerDep,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    request: Request,
    live: Annotated[LiveStreams, Depends(live_streams)],
    after: Annotated[
        int | None, Query(ge=0, le=MAX_SEQ, description="Send events after this seq.")
    ] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    """Live changes as Server-Sent Events: `event`, `execution` and finally `end` messages."""
    executions.get_execution(store=container.store, execution_id=execution_id)  # 404 up front
    resume_at = after if after is not None else _seq(last_event_id)
    client = request.client.host if request.client else "unknown"
    live.slots.take(client)  # 429 when the caps are reached
    messages = execution_stream(
        container.store,
        execution_id,
        after_seq=resume_at,
        now=lambda: _now(container),
        watch=live.watch,
        bounds=_bounds(container.settings),
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return SlotStreamingResponse(
        messages, slots=live.slots, client=client, media_type="text/event-stream", headers=headers
    )


def _bounds(settings: Settings) -> StreamBounds:
    return StreamBounds(
        keepalive_seconds=settings.stream_keepalive_seconds,
        idle_seconds=settings.stream_idle_seconds,
        max_seconds=settings.stream_max_seconds,
    )


def _operate(
    container: Container, action: Any, execution_id: str, audit: AuditContext, **options: Any
) -> ExecutionRead:
    """Run one operator action through its service and read the execution back."""
    execution = action(
        store=container.store,
        execution_id=execution_id,
        audit=audit,
        clock=_clock(container),
        waker=_waker(container),
        **options,
    )
    return _read(container, execution)


def _with(audit: AuditContext, body: OperatorActionCreate | None) -> AuditContext:
    """The caller's context with the comment the body gave, if any."""
    return audit.with_comment(body.comment if body else None)


def _read(container: Container, execution: Execution) -> ExecutionRead:
    return execution_read(execution, _now(container))


def _seq(last_event_id: str | None) -> int:
    # A browser resends the id of the last message it saw; anything else starts over.
    text = (last_event_id or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 0
    if int(text) > MAX_SEQ:
        # Refused before the stream starts: a 200 cannot turn into an error later.
        message = f"must be an event seq no larger than {MAX_SEQ}"
        raise ValidationError(
            f"Last-Event-ID: {message}",
            [{"path": "Last-Event-ID", "message": message, "in": "header"}],
        )
    return int(text)


def _start_request(body: ExecutionCreate) -> executions.StartRequest:
    """The service's request for a start (or its preflight) from the API body."""
    return executions.StartRequest(
        plan_id_or_name=body.plan_id,
        type=body.type,
        waves=body.waves,
        allow_unhealthy=body.allow_unhealthy,
    )


def _clock(container: Container) -> Clock | None:
    # The services fall back to the system clock; a container may carry its own.
    clock: Clock | None = getattr(container, "clock", None)
    return clock


def _read_retry(container: Container) -> ReadRetry:
    return ReadRetry(budget=container.settings.preflight_retry_seconds)


def _waker(container: Container) -> Waker:
    return waker_of(list(container.background))


def _now(container: Container) -> datetime:
    clock = _clock(container)
    return clock.now() if clock is not None else utcnow()
