"""Server-Sent Events for one execution: timeline events, changed records, the end.

Wire format (text/event-stream):

    event: event        one timeline entry; `id:` is its seq, so Last-Event-ID resumes
    event: execution    the header (ExecutionRead: status, waves with counts, timings),
                        first on (re)connecting and again whenever the stored version moved
    event: servers      {"version", "items": [ServerRunRead]}: only the servers whose state
                        changed since the last `execution` message (at most 500 a message)
    event: end          {"status", "cleanup_status"}; the server then closes the stream
    : keep-alive        a comment after a quiet spell, so proxies keep the line open
    : idle / : expired  the server closes a stream with nothing new for a long time, or
                        one open too long; clients reconnect with Last-Event-ID
    : snapshot          snapshot mode (DRORCH_STREAM_SNAPSHOT, on in Lambda, where API
                        Gateway buffers whole answers): what is new now, a `retry:` delay,
                        then the server closes; clients reconnect, i.e. they poll
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import anyio

from drorch.api.executions.schemas import EventRead
from drorch.api.executions.views import finished, header_json, servers_json
from drorch.api.executions.watch import EVENT_BATCH, ExecutionWatch
from drorch.domain.executions import Event, Execution
from drorch.services.execution_reads import ExecutionReads
from drorch.services.execution_views import RunView

POLL_SECONDS = 0.25
SERVERS_PER_MESSAGE = 500
KEEPALIVE_SECONDS = 15.0
IDLE_SECONDS = 600.0
MAX_SECONDS = 3600.0
# Event numbers are SQLite integers.
MAX_SEQ = 2**63 - 1
# How long a client waits before asking a snapshot-mode stream again (the poll interval).
SNAPSHOT_RETRY_MS = 2000


@dataclass
class _Cursor:
    """What the client has been sent so far, and whether to look at the execution again."""

    after_seq: int
    shown: RunView | None = None
    refresh: bool = True


def sse(event: str, data: str, event_id: int | None = None) -> str:
    """One SSE message; `data` is a single JSON line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


@dataclass(frozen=True)
class StreamBounds:
    """When to send keep-alives and when to close a stream."""

    keepalive_seconds: float = KEEPALIVE_SECONDS
    idle_seconds: float = IDLE_SECONDS
    max_seconds: float = MAX_SECONDS
    # Snapshot mode: close after one round of news, asking clients back after this long.
    snapshot_retry_ms: int | None = None


async def execution_stream(
    reads: ExecutionReads,
    execution_id: str,
    *,
    after_seq: int,
    watch: ExecutionWatch,
    bounds: StreamBounds = StreamBounds(),
) -> AsyncIterator[str]:
    """Messages until the execution has finished (and its cleanup), or a bound is reached."""
    cursor = _Cursor(after_seq=after_seq)
    seen = watch.subscribe(execution_id)
    clock = _Clock(opened=anyio.current_time(), bounds=bounds)
    try:
        while True:
            events, view = await anyio.to_thread.run_sync(_changes, reads, execution_id, cursor)
            chunk = "".join(sse("event", _event_json(e), e.seq) for e in events)
            if view is not None:
                chunk += _records(view, cursor)
            if chunk:
                clock.news()
                yield chunk
            if view is not None and finished(view.execution):
                yield sse("end", _end_json(view.execution))
                return
            if len(events) >= EVENT_BATCH:
                continue  # more to send at once
            if bounds.snapshot_retry_ms is not None:
                yield f"retry: {bounds.snapshot_retry_ms}\n: snapshot\n\n"
                return
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
    reads: ExecutionReads, execution_id: str, cursor: _Cursor
) -> tuple[list[Event], RunView | None]:
    """New events, plus the current view when something happened (parsed once per version)."""
    events = _events(reads, execution_id, cursor)
    if not events and not cursor.refresh:
        return events, None
    cursor.refresh = False
    view = reads.view(execution_id)
    # Events read after the view are all those it reflects, so none is lost at the end.
    return events + _events(reads, execution_id, cursor), view


def _events(reads: ExecutionReads, execution_id: str, cursor: _Cursor) -> list[Event]:
    found = reads.events_since(execution_id, cursor.after_seq, EVENT_BATCH)
    if found:
        cursor.after_seq = found[-1].seq
    return found


def _records(view: RunView, cursor: _Cursor) -> str:
    """The header and the servers that changed, when the stored version moved since the last."""
    shown, cursor.shown = cursor.shown, view
    if shown is not None and shown.version == view.version:
        return ""
    chunk = sse("execution", header_json(view))
    if shown is None:
        return chunk  # the client reads the servers it shows from /servers
    changed = servers_json(view, view.changed_since(shown))
    for start in range(0, len(changed), SERVERS_PER_MESSAGE):
        items = ",".join(changed[start : start + SERVERS_PER_MESSAGE])
        chunk += sse("servers", f'{{"version":{view.version},"items":[{items}]}}')
    return chunk


def _event_json(event: Event) -> str:
    return EventRead.model_validate(event.model_dump()).model_dump_json()


def _end_json(execution: Execution) -> str:
    return json.dumps({"status": execution.status, "cleanup_status": execution.cleanup_status})
