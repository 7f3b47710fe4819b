"""/api/v1/executions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from drorch.api.deps import ContainerDep, StoreDep, set_etag
from drorch.api.executions.reads import ReadsDep, current_view, reads_of
from drorch.api.executions.schemas import (
    CancelCreate,
    EventListQuery,
    EventRead,
    ExecutionCreate,
    ExecutionListQuery,
    ExecutionRead,
    ExecutionSummaryRead,
    JobListQuery,
    JobRead,
    OperatorActionCreate,
    PreflightRead,
    RunServerListQuery,
    ServerRunRead,
    TimelineRead,
    preflight_read,
)
from drorch.api.executions.slots import LiveStreams, SlotStreamingResponse, live_streams
from drorch.api.executions.stream import (
    MAX_SEQ,
    SNAPSHOT_RETRY_MS,
    StreamBounds,
    execution_stream,
)
from drorch.api.executions.views import (
    header_json,
    header_of,
    job_read,
    servers_json,
    timeline_json,
)
from drorch.api.pagination import PageRead, array_page_response, page_response
from drorch.api.query import documented, query_of
from drorch.api.security import audited, require
from drorch.bootstrap import Container, readiness_ports
from drorch.config import Settings
from drorch.domain.executions import Execution, ExecutionSummary
from drorch.domain.identity import Permission, Principal
from drorch.engine.retrying import ReadRetry
from drorch.errors import NotFoundError, ValidationError
from drorch.ports.store import Page
from drorch.services import execution_actions, executions
from drorch.services.audit import AuditContext
from drorch.services.execution_reads import JobPageQuery, ServerPageQuery

router = APIRouter(prefix="/api/v1/executions", tags=["executions"])
P = Permission

ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown execution"},
    409: {"description": "Not allowed in the execution's current state"},
}
READ_RESPONSES: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown execution"}}
SUMMARIES = TypeAdapter(list[ExecutionSummary])


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
        clock=container.clock,
        request=_start_request(body),
        audit=audit.with_comment(body.comment),
        waker=container.waker,
        read_retry=_read_retry(container),
        ports=readiness_ports(container),
        listeners=container.readiness_listeners,
        config=container.engine_config,
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
        clock=container.clock,
        request=_start_request(body),
        read_retry=_read_retry(container),
        ports=readiness_ports(container),
        config=container.engine_config,
    )
    return preflight_read(preflight)


@router.get(
    "",
    response_model=PageRead[ExecutionSummaryRead],
    openapi_extra=documented(ExecutionListQuery),
)
async def list_executions(
    request: Request,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    params: Annotated[ExecutionListQuery, query_of(ExecutionListQuery)],
) -> Response:
    """A page of executions, newest first."""
    # On the event loop: one indexed read of small rows costs less than a thread hand-off.
    store = request.app.state.container.store  # not a dependency: one less to solve
    page = executions.list_executions(store=store, **params.model_dump())
    # A summary's JSON is the listing row's (same fields): the page rendered in one call.
    return array_page_response(SUMMARIES.dump_json(page.items), page.next_cursor)


@router.get("/{execution_id}", response_model=ExecutionRead, responses=READ_RESPONSES)
async def get_execution(
    execution_id: str,
    request: Request,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
) -> Response:
    """One execution's header: status, waves with server counts, job counts, RTO timings."""
    reads = reads_of(request)  # not a dependency: one less for FastAPI to solve
    view = await current_view(reads, execution_id)
    response = Response(header_json(view).encode(), media_type="application/json")
    set_etag(response, view.version)
    return response


@router.get(
    "/{execution_id}/servers",
    response_model=PageRead[ServerRunRead],
    responses=READ_RESPONSES,
    openapi_extra=documented(RunServerListQuery),
)
async def list_run_servers(
    execution_id: str,
    request: Request,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    params: Annotated[RunServerListQuery, query_of(RunServerListQuery)],
) -> Response:
    """A page of the execution's servers in plan order, filtered by wave, status, account, text.

    The ETag is the execution version the page shows.
    """
    reads = reads_of(request)  # not a dependency: one less for FastAPI to solve
    view = await current_view(reads, execution_id)
    query = ServerPageQuery(
        wave=params.wave,
        statuses=frozenset(params.status),
        account_id=params.account_id,
        search=params.search,
        limit=params.limit,
        cursor=params.cursor,
    )
    page = reads.servers(view, query)
    response = page_response(Page(servers_json(view, page.items), page.next_cursor))
    set_etag(response, view.version)
    return response


@router.get(
    "/{execution_id}/jobs",
    responses=READ_RESPONSES,
    openapi_extra=documented(JobListQuery),
)
async def list_run_jobs(
    execution_id: str,
    request: Request,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    params: Annotated[JobListQuery, query_of(JobListQuery)],
) -> PageRead[JobRead]:
    """A page of the DRS jobs drorch started for the execution, oldest first."""
    reads = reads_of(request)  # not a dependency: one less for FastAPI to solve
    view = await current_view(reads, execution_id)
    query = JobPageQuery(kind=params.kind, limit=params.limit, cursor=params.cursor)
    page = reads.jobs(view, query)
    return PageRead(items=[job_read(b) for b in page.items], next_cursor=page.next_cursor)


@router.get("/{execution_id}/timeline", response_model=TimelineRead, responses=READ_RESPONSES)
async def get_timeline(
    execution_id: str,
    request: Request,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
) -> Response:
    """Start, end and server counts per wave and per DRS job: what a Gantt chart draws."""
    reads = reads_of(request)  # not a dependency: one less for FastAPI to solve
    view = await current_view(reads, execution_id)
    response = Response(timeline_json(view).encode(), media_type="application/json")
    set_etag(response, view.version)
    return response


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
    reads: ReadsDep,
    _: Annotated[Principal, require(P.EXECUTIONS_READ)],
    request: Request,
    live: Annotated[LiveStreams, Depends(live_streams)],
    after: Annotated[
        int | None, Query(ge=0, le=MAX_SEQ, description="Send events after this seq.")
    ] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
) -> StreamingResponse:
    """Live changes as Server-Sent Events: `event`, `execution` and finally `end` messages."""
    if reads.version(execution_id) is None:  # 404 up front, before the 200 starts
        raise NotFoundError(f"execution {execution_id} does not exist")
    resume_at = after if after is not None else _seq(last_event_id)
    client = request.client.host if request.client else "unknown"
    live.slots.take(client)  # 429 when the caps are reached
    messages = execution_stream(
        reads,
        execution_id,
        after_seq=resume_at,
        watch=live.watch,
        bounds=_bounds(container.settings),
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if container.settings.stream_snapshot:
        headers["X-Stream-Mode"] = "snapshot"  # one snapshot, then closed: clients poll
    return SlotStreamingResponse(
        messages, slots=live.slots, client=client, media_type="text/event-stream", headers=headers
    )


def _bounds(settings: Settings) -> StreamBounds:
    return StreamBounds(
        keepalive_seconds=settings.stream_keepalive_seconds,
        idle_seconds=settings.stream_idle_seconds,
        max_seconds=settings.stream_max_seconds,
        snapshot_retry_ms=SNAPSHOT_RETRY_MS if settings.stream_snapshot else None,
    )


def _operate(
    container: Container, action: Any, execution_id: str, audit: AuditContext, **options: Any
) -> ExecutionRead:
    """Run one operator action through its service and read the execution back."""
    execution = action(
        store=container.store,
        execution_id=execution_id,
        audit=audit,
        clock=container.clock,
        waker=container.waker,
        config=container.engine_config,
        **options,
    )
    return _read(container, execution)


def _with(audit: AuditContext, body: OperatorActionCreate | None) -> AuditContext:
    """The caller's context with the comment the body gave, if any."""
    return audit.with_comment(body.comment if body else None)


def _read(container: Container, execution: Execution) -> ExecutionRead:
    return header_of(execution)


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
        cleanup_after_minutes=body.cleanup_after_minutes,
    )


def _read_retry(container: Container) -> ReadRetry:
    return ReadRetry(budget=container.settings.preflight_retry_seconds)
