"""Live progress of one execution, fed by its Server-Sent Events stream (polling as fallback).

Shared by `drorch exec ... --follow` and `drorch demo`.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from drorch.cli.execution_views import elapsed_seconds
from drorch.cli.http import ApiClient, error_from
from drorch.cli.output import console, duration_text, note, safe_text

EXECUTIONS = "/api/v1/executions"
TERMINAL = frozenset({"COMPLETED", "PARTIAL", "FAILED", "CANCELLED"})
SERVER_DONE = frozenset({"LAUNCHED", "FAILED", "SKIPPED", "CANCELLED", "TERMINATED"})
LATEST_EVENTS = 8
POLL_SECONDS = 1.0
STREAM_ATTEMPTS = 3
# The server sends a keep-alive comment every 15 s; silence for much longer means trouble.
STREAM_TIMEOUT = httpx.Timeout(10.0, read=45.0)
Message = tuple[str, dict[str, Any]]


@dataclass
class Watch:
    """What follow knows: the latest execution snapshot and the newest events."""

    execution: dict[str, Any]
    events: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=LATEST_EVENTS))
    last_seq: int = 0
    ended: bool = False

    def apply(self, kind: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Fold one message in; returns the event when it is a new timeline entry.

        `servers` messages (the servers that changed) are not needed: the header's wave
        counts are what the progress view shows.
        """
        if kind == "execution":
            self.execution = data
        elif kind == "end":
            self.ended = True
        elif kind == "event" and int(data.get("seq", 0)) > self.last_seq:
            self.last_seq = int(data["seq"])
            self.events.append(data)
            return data
        return None


def follow_execution(
    client: ApiClient,
    execution_id: str,
    *,
    quiet_stdout: bool = False,
    after_seq: int = 0,
    poll: bool = False,
) -> dict[str, Any]:
    """Show progress until the execution has finished; returns its final state.

    On a terminal the screen is redrawn live; otherwise (or with `quiet_stdout`, which
    keeps stdout for JSON) each new event is one line. `after_seq` skips events seen before;
    `poll` reads the API instead of the event stream (for proxies that buffer streams).
    """
    path = f"{EXECUTIONS}/{execution_id}"
    watch = Watch(execution=client.get(path).data, last_seq=after_seq)
    out = Console(file=sys.stderr, highlight=False) if quiet_stdout else console()
    messages = poll_messages(client, watch) if poll else updates(client, watch)
    if out.is_terminal and not quiet_stdout:
        _follow_live(messages, watch, out)
    else:
        _follow_lines(messages, watch, out)
    final: dict[str, Any] = client.get(path).data
    return final


def last_event_seq(client: ApiClient, execution_id: str) -> int:
    """The newest timeline entry's seq: follow after it to show only what happens next."""
    events = client.list_all(f"{EXECUTIONS}/{execution_id}/events", params={"limit": 500})
    return max((int(e["seq"]) for e in events), default=0)


def _follow_live(messages: Iterable[Message], watch: Watch, out: Console) -> None:
    with Live(progress_view(watch), console=out, refresh_per_second=4, transient=True) as live:
        for kind, data in messages:
            watch.apply(kind, data)
            live.update(progress_view(watch))


def _follow_lines(messages: Iterable[Message], watch: Watch, out: Console) -> None:
    # Pipes and logs get one line per event rather than a redrawn screen.
    for kind, data in messages:
        event = watch.apply(kind, data)
        if event is not None:
            out.print(_event_line(event), markup=False)


def updates(client: ApiClient, watch: Watch) -> Iterator[Message]:
    """Messages from the SSE stream (reconnecting), or from polling when it keeps failing."""
    failures = 0
    while failures < STREAM_ATTEMPTS:
        try:
            for kind, data in stream_messages(client.base_url, watch, auth=client.auth):
                failures = 0
                yield kind, data
                if kind == "end":
                    return
        except (httpx.TransportError, _NoStream):
            pass
        # Closed early or failed: reconnect after the last event seen (Last-Event-ID).
        failures += 1
        time.sleep(POLL_SECONDS)
    note("the live stream is unavailable; polling instead")
    yield from poll_messages(client, watch)


class _NoStream(Exception):
    """The server did not answer with an event stream."""


def stream_messages(
    base_url: str, watch: Watch, *, auth: httpx.Auth | None = None
) -> Iterator[Message]:
    """(event, data) pairs of the execution's SSE stream, resuming after the last seen event."""
    path = f"{EXECUTIONS}/{watch.execution['id']}/stream"
    headers = {"Accept": "text/event-stream", "Last-Event-ID": str(watch.last_seq)}
    with (
        # The same credentials as the client's other requests (bearer, refreshed on expiry).
        httpx.Client(base_url=base_url, timeout=STREAM_TIMEOUT, auth=auth) as http,
        http.stream("GET", path, headers=headers) as response,
    ):
        if response.status_code == 404:
            response.read()
            raise error_from(response)
        media = response.headers.get("content-type", "")
        if response.status_code != 200 or not media.startswith("text/event-stream"):
            raise _NoStream(f"HTTP {response.status_code} {media}")
        yield from parse_sse(response.iter_lines())


def parse_sse(lines: Iterable[str]) -> Iterator[Message]:
    """(event, JSON data) per SSE message; comments and unknown fields are skipped."""
    event, data = "message", list[str]()
    for line in lines:
        if not line:
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def poll_messages(client: ApiClient, watch: Watch) -> Iterator[Message]:
    """The same messages as the stream, made by polling the execution and its events."""
    path = f"{EXECUTIONS}/{watch.execution['id']}"
    while True:
        execution = client.get(path).data
        events = client.list_all(f"{path}/events", params={"limit": 500})
        for event in events:
            if int(event["seq"]) > watch.last_seq:
                yield "event", event
        yield "execution", execution
        if finished(execution):
            yield "end", {"status": execution["status"]}
            return
        time.sleep(POLL_SECONDS)


def finished(execution: dict[str, Any]) -> bool:
    """True once the execution, its cleanup and its DRS jobs have all ended."""
    return bool(execution.get("finished"))


def progress_view(watch: Watch) -> RenderableType:
    """The live screen: a headline, a bar per wave with server counts, the latest events."""
    ex = watch.execution
    seconds = elapsed_seconds(ex)
    elapsed = f" · {duration_text(seconds)}" if seconds is not None else ""
    # Names and messages are data: Text keeps "[x]" in them from being read as markup.
    head = Text.assemble(
        (str(ex["type"]), "bold"),
        safe_text(f" of {ex['plan_name']!r} · {ex['id']} · "),
        (str(ex["status"]), "bold"),
        elapsed,
    )
    waves = Table(box=None, show_header=False, pad_edge=False)
    for column in ("wave", "status", "bar", "done", "servers"):
        waves.add_column(column)
    for wave in ex["waves"]:
        counts = Counter(wave.get("counts") or {})
        done, total = sum(counts[s] for s in SERVER_DONE), int(wave.get("server_count", 0))
        text = " · ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        bar = ProgressBar(total=max(total, 1), completed=done, width=30)
        waves.add_row(Text(safe_text(wave["name"])), wave["status"], bar, f"{done}/{total}", text)
    events = [Text(_event_line(e)) for e in watch.events] or [Text("(waiting for events)")]
    return Group(head, waves, "", Text("Latest events", style="bold"), *events)


def _event_line(event: dict[str, Any]) -> str:
    at = str(event.get("at", ""))[11:19]
    return safe_text(f"{at}  {event.get('kind', '')}: {event.get('message', '')}")
