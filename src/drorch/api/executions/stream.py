"""Server-Sent Events for one execution: timeline events, state snapshots, the end.

Wire format (text/event-stream):

    event: event        one timeline entry; `id:` is its seq, so Last-Event-ID resumes
    event: execution    the whole execution (ExecutionRead) whenever it changed
    event: end          {"status", "cleanup_status"}; the server then closes the stream
    : keep-alive        a comment after a quiet spell, so proxies keep the line open
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

import anyio

from drorch.api.executions.schemas import EventRead, execution_read
from drorch.domain.executions import Event, Execution
from drorch.ports.store import Store
from drorch.services import executions

POLL_SECONDS = 0.25
# A full read of the execution also happens without new events, for changes that log none.
REFRESH_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0
EVENT_BATCH = 500


@dataclass
class _Cursor:
    """What the client has been sent so far."""

    after_seq: int
    shown: str = ""
    since_refresh: float = field(default=REFRESH_SECONDS)
    quiet: float = 0.0


def sse(event: str, data: str, event_id: int | None = None) -> str:
    """One SSE message; `data` is a single JSON line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def finished(execution: Execution) -> bool:
    """True when nothing about the execution will change on its own any more."""
    return execution.terminal and not execution.needs_engine()


async def execution_stream(
    store: Store,
    execution_id: str,
    *,
    after_seq: int,
    now: Callable[[], datetime],
    poll_seconds: float = POLL_SECONDS,
    keepalive_seconds: float = KEEPALIVE_SECONDS,
) -> AsyncIterator[str]:
    """Messages for the client until the execution has finished (and its cleanup too)."""
    cursor = _Cursor(after_seq=after_seq)
    while True:
        events, execution = await anyio.to_thread.run_sync(_changes, store, execution_id, cursor)
        chunk = "".join(sse("event", _event_json(e), e.seq) for e in events)
        if execution is not None:
            chunk += _snapshot(execution, cursor, now())
        if chunk:
            cursor.quiet = 0.0
            yield chunk
        if execution is not None and finished(execution):
            yield sse("end", _end_json(execution))
            return
        if len(events) < EVENT_BATCH:
            await anyio.sleep(poll_seconds)
            cursor.quiet += poll_seconds
            cursor.since_refresh += poll_seconds
        if cursor.quiet >= keepalive_seconds:
            cursor.quiet = 0.0
            yield ": keep-alive\n\n"


def _changes(
    store: Store, execution_id: str, cursor: _Cursor
) -> tuple[list[Event], Execution | None]:
    """New events, plus the execution when something happened or a refresh is due."""
    events = _events(store, execution_id, cursor)
    if not events and cursor.since_refresh < REFRESH_SECONDS:
        return events, None
    cursor.since_refresh = 0.0
    execution = executions.get_execution(store=store, execution_id=execution_id)
    # Events read after the execution are all those it reflects, so none is lost at the end.
    return events + _events(store, execution_id, cursor), execution


def _events(store: Store, execution_id: str, cursor: _Cursor) -> list[Event]:
    found = executions.events_since(
        store=store, execution_id=execution_id, after_seq=cursor.after_seq, limit=EVENT_BATCH
    )
    if found:
        cursor.after_seq = found[-1].seq
    return found


def _snapshot(execution: Execution, cursor: _Cursor, now: datetime) -> str:
    """An `execution` message when anything but the clock-driven fields changed."""
    read = execution_read(execution, now)
    key = read.model_dump_json(exclude={"version", "updated_at", "timings"})
    if key == cursor.shown:
        return ""
    cursor.shown = key
    return sse("execution", read.model_dump_json())


def _event_json(event: Event) -> str:
    return EventRead.model_validate(event.model_dump()).model_dump_json()


def _end_json(execution: Execution) -> str:
    return json.dumps({"status": execution.status, "cleanup_status": execution.cleanup_status})
