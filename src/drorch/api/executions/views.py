"""API renderings of execution read views; each is made once per stored version and reused."""

from __future__ import annotations

import json

from drorch.api.executions.schemas import (
    ExecutionRead,
    JobCountsRead,
    JobRead,
    JobSpanRead,
    TimelineRead,
    TimingsRead,
    WaveRunRead,
    WaveSpanRead,
    launch_settings_read,
)
from drorch.api.executions.step_schemas import step_read
from drorch.domain.executions import Batch, Execution
from drorch.domain.rto import rto_figures
from drorch.services.execution_views import BatchSpan, RunServer, RunView, view_of

HEADER_KEYS = {
    "id",
    "plan_id",
    "plan_name",
    "type",
    "status",
    "cleanup_status",
    "paused_reason",
    "waiting_scopes",
    "terminate_on_cancel",
    "cleanup_after_minutes",
    "leftovers",
    "started_by",
    "version",
    "created_at",
    "started_at",
    "ended_at",
    "updated_at",
}


def execution_read(view: RunView) -> ExecutionRead:
    """The header of one version: fields, waves with counts, job counts, timings."""
    ex = view.execution
    waves = [
        WaveRunRead(
            **w.model_dump(include={"name", "status", "depends_on", "pause_before"}),
            started_at=w.started_at,
            ended_at=w.ended_at,
            server_count=len(w.servers),
            counts=view.wave_counts[w.name],
            steps=[step_read(s) for s in w.steps],
        )
        for w in ex.waves
    ]
    return ExecutionRead(
        **ex.model_dump(include=HEADER_KEYS),
        finished=finished(ex),
        cleanup_due_at=ex.cleanup_due_at,
        server_count=len(view.rows),
        counts=view.counts,
        waves=waves,
        jobs=JobCountsRead(total=len(ex.batches), open=view.open_jobs()),
        timings=timings(ex),
    )


def header_of(execution: Execution) -> ExecutionRead:
    """The header of an execution a write just returned (no cached view of it yet)."""
    return execution_read(view_of(execution))


def header_json(view: RunView) -> str:
    """The header as JSON, rendered once per view."""
    return view.derived("api:header", lambda: execution_read(view).model_dump_json())


def server_json(row: RunServer) -> str:
    """One server row as JSON: its wave, then the server's run state (ServerRunRead)."""
    record = row.server.launch_settings
    if record is None:
        body = row.server.model_dump_json(exclude={"batch_id"})
    else:  # the API's shape of the record (LaunchSettingsRead), not the stored one
        rest = row.server.model_dump_json(exclude={"batch_id", "launch_settings"})
        shown = launch_settings_read(record).model_dump_json()
        body = f'{rest[:-1]},"launch_settings":{shown}}}'
    return f'{{"wave":{json.dumps(row.wave)},{body[1:]}'


def servers_json(view: RunView, rows: list[RunServer]) -> list[str]:
    """Rows as JSON, each rendered once per view however many pages show it."""
    rendered: dict[int, str] = view.derived("api:servers", dict)
    out = []
    for row in rows:
        text = rendered.get(row.position)
        if text is None:
            text = rendered[row.position] = server_json(row)
        out.append(text)
    return out


def job_read(batch: Batch) -> JobRead:
    """The API shape of one DRS job of the run."""
    return JobRead.model_validate(batch.model_dump(exclude={"stall_warned"}))


def timeline_json(view: RunView) -> str:
    """The timeline per wave and job as JSON, rendered once per view."""
    return view.derived("api:timeline", lambda: timeline_read(view).model_dump_json())


def timeline_read(view: RunView) -> TimelineRead:
    """Per wave and per DRS job start, end and counts: what the UI's Gantt chart draws."""
    ex = view.execution
    timeline = view.timeline()
    waves = [
        WaveSpanRead(
            name=span.wave.name,
            status=span.wave.status,
            started_at=span.wave.started_at,
            ended_at=span.wave.ended_at,
            server_count=len(span.wave.servers),
            counts=view.wave_counts[span.wave.name],
            jobs=[_job_span(b) for b in span.batches],
            steps=[step_read(s) for s in span.wave.steps],
        )
        for span in timeline.waves
    ]
    return TimelineRead(
        execution_id=ex.id,
        version=ex.version,
        status=ex.status,
        created_at=ex.created_at,
        started_at=ex.started_at,
        ended_at=ex.ended_at,
        waves=waves,
        cleanup_jobs=[_job_span(b) for b in timeline.cleanup],
    )


def _job_span(span: BatchSpan) -> JobSpanRead:
    b = span.batch
    return JobSpanRead(
        batch_id=b.batch_id,
        kind=b.kind,
        job_id=b.job_id,
        state=b.state,
        job_status=b.job_status,
        account_id=b.account_id,
        region=b.region,
        server_count=span.server_count,
        created_at=b.created_at,
        started_at=span.first_start,
        ended_at=span.last_end if b.state not in ("INTENDED", "ACTIVE") else None,
        counts=span.counts,
    )


def finished(execution: Execution) -> bool:
    """True when nothing about the execution will change on its own any more."""
    return execution.terminal and not execution.needs_engine()


def timings(execution: Execution) -> TimingsRead:
    """RTO figures and pauses, none of them measured against the clock."""
    closed = sum(
        (p.ended_at - p.started_at).total_seconds() for p in execution.pauses if p.ended_at
    )
    open_pause = next((p for p in execution.pauses if p.ended_at is None), None)
    # The launch window ends at a stored time, so any `now` past it gives the same figure.
    figures = rto_figures(execution, execution.updated_at)
    return TimingsRead(
        rto_minutes=execution.snapshot.plan.rto_minutes,
        rto_achieved_seconds=figures.achieved_seconds,
        paused_seconds=round(closed, 3),
        paused_since=open_pause.started_at if open_pause else None,
        within_rto=figures.within_rto,
    )
