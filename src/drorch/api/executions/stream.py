"""Server-Sent Events for one execution: timeline events, state snapshots, the end.

Wire format (text/event-stream):

    event: event        one timeline entry; `id:` is its seq, so Last-Event-ID resumes
    event: execution    the whole execution (ExecutionRead) whenever it changed
    event: end          {"status", "cleanup_status"}; the server then closes the stream
    : keep-alive        a comment after a quiet spell, so proxies keep the line open
    : idle / : expired  the server closes a stream with nothing new for a long time, or
                        one open too long; clients reconnect with Last-Event-ID
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

import anyio

from drorch.api.executions.schemas import EventRead, execution_read
from drorch.api.executions.watch import EVENT_BATCH, ExecutionWatch
from drorch.domain.executions import Event, Execution
from drorch.ports.store import Store
from drorch.services import executions

POLL_SECONDS = 0.25
# A full read of the execution also happens without new events, for changes that log none.
REFRESH_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0
IDLE_SECONDS = 600.0
MAX_SECONDS = 3600.0
# Event numbers are SQLite integers.
MAX_SEQ = 2**63 - 1


@dataclass
class _Cursor:
    """What the client has been sent so far, and whether to read the execution again."""

    after_seq: int
    shown: str = ""
    refresh: bool = True


def sse(event: str, data: str, event_id: int | None = None) -> str:
    """One SSE message; `data` is a single JSON line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


def finished(execution: Execution) -> bool:
    """True when nothing about the execution will change on its own any more."""
    return execution.terminal and not execution.needs_engine()


@dataclass(frozen=True)
class StreamBounds:
    """When to send keep-alives and when to close a stream."""

    keepalive_seconds: float = KEEPALIVE_SECONDS
    idle_seconds: float = IDLE_SECONDS
    max_seconds: float = MAX_SECONDS


async def execution_stream(
    store: Store,
    execution_id: str,
    *,
    after_seq: int,
    now: Callable[[], datetime],
    watch: ExecutionWatch,
    bounds: StreamBounds = StreamBounds(),
) -> AsyncIterator[str]:
    """Messages until the execution has finished (and its cleanup), or a bound is reached."""
    cursor = _Cursor(after_seq=after_seq)
    seen = watch.subscribe(execution_id)
    clock = _Clock(opened=anyio.current_time(), bounds=bounds)
    try:
        while True:
            events, execution = await anyio.to_thread.run_sync(
                _changes, store, execution_id, cursor
            )
            chunk = "".join(sse("event", _event_json(e), e.seq) for e in events)
            if execution is not None:
                chunk += _snapshot(execution, cursor, now())
            if chunk:
                clock.news()
                yield chunk
            if execution is not None and finished(execution):
                yield sse("end", _end_json(execution))
                return
            if len(events) >= EVENT_BATCH:
                continue  # more to send at once
            generation = await watch.wait(execution_id, seen, clock.until_next())
            cursor.refresh = cursor.refresh or generation != seen
            seen = generation
            closing = clock.over_bound()
            if closing:
                yield f": {closing}\n\n"
                return
            if clock.keepalive_due():
                yield ": keep-alive\n\n"
    finally:
        watch.unsubscribe(execution_id)


@dataclass
class _Clock:
    """When the stream opened, last had news and last sent anything, against its bounds."""

    opened: float
    bounds: StreamBounds
    last_news: float = 0.0
    last_sent: float = 0.0

    def __post_init__(self) -> None:
        self.last_news = self.last_sent = self.opened

    def news(self) -> None:
        self.last_news = self.last_sent = anyio.current_time()

    def until_next(self) -> float:
        """Seconds until a keep-alive or a bound is due."""
        due = min(
            self.last_sent + self.bounds.keepalive_seconds,
            self.last_news + self.bounds.idle_seconds,
            self.opened + self.bounds.max_seconds,
        )
        return due - anyio.current_time()

    def over_bound(self) -> str:
        """`idle` or `expired` when the stream should close now, else empty."""
        current = anyio.current_time()
        if current - self.last_news >= self.bounds.idle_seconds:
            return "idle"
        if current - self.opened >= self.bounds.max_seconds:
            return "expired"
        return ""

    def keepalive_due(self) -> bool:
        """True (and counted as sent) when the line has been quiet for the keep-alive time."""
        current = anyio.current_time()
        if current - self.last_sent < self.bounds.keepalive_seconds:
            return False
        self.last_sent = current
        return True


def _changes(
    store: Store, execution_id: str, cursor: _Cursor
) -> tuple[list[Event], Execution | None]:
    """New events, plus the execution when something happened or a refresh is due."""
    events = _events(store, execution_id, cursor)
    if not events and not cursor.refresh:
        return events, None
    cursor.refresh = False
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
