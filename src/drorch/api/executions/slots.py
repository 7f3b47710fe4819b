"""Caps on live event streams (in all and per client address) and the watch they share."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from drorch.api.executions.stream import POLL_SECONDS
from drorch.api.executions.watch import ExecutionWatch
from drorch.bootstrap import Container
from drorch.errors import TooManyRequestsError
from drorch.services.execution_reads import ExecutionReads

# Streams end within seconds of a client going away; a retry soon after may well succeed.
RETRY_AFTER_SECONDS = 5


class StreamSlots:
    """Counts open streams; refuses a new one over the total or the client's share."""

    def __init__(self, *, total: int, per_client: int) -> None:
        self.total = total
        self.per_client = per_client
        self._open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, client: str) -> None:
        """Hold a slot for `client`, or raise 429 when none is free."""
        with self._lock:
            if sum(self._open.values()) >= self.total:
                raise _busy(f"{self.total} live streams are open, the most this server allows")
            if self._open[client] >= self.per_client:
                raise _busy(f"this client holds {self.per_client} live streams, the most allowed")
            self._open[client] += 1

    def release(self, client: str) -> None:
        """Give back a slot taken by `client`."""
        with self._lock:
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]

    def count(self) -> int:
        """Streams open now."""
        with self._lock:
            return sum(self._open.values())


class SlotStreamingResponse(StreamingResponse):
    """A streaming response that gives its slot back however the stream ends."""

    def __init__(self, content: Any, *, slots: StreamSlots, client: str, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._slots = slots
        self._client = client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._slots.release(self._client)
            # Close the stream's generator now, not when it is collected: it holds a watch.
            closer = getattr(self.body_iterator, "aclose", None)
            if closer is not None:
                with anyio.CancelScope(shield=True):
                    await closer()


def _busy(detail: str) -> TooManyRequestsError:
    return TooManyRequestsError(
        f"{detail}; close one or try again later", retry_after=RETRY_AFTER_SECONDS
    )


@dataclass(frozen=True)
class LiveStreams:
    """The process's stream caps and the watch that wakes the streams."""

    slots: StreamSlots
    watch: ExecutionWatch


async def live_streams(request: Request) -> LiveStreams:
    """The process's LiveStreams, made on first use from the settings."""
    live: LiveStreams | None = getattr(request.app.state, "live_streams", None)
    if live is None:
        container: Container = request.app.state.container
        settings = container.settings
        live = LiveStreams(
            slots=StreamSlots(
                total=settings.stream_max_total, per_client=settings.stream_max_per_client
            ),
            watch=ExecutionWatch(_reads(container), poll_seconds=POLL_SECONDS),
        )
        request.app.state.live_streams = live
    return live


def _reads(container: Container) -> ExecutionReads:
    if container.reads is None:  # pragma: no cover - bootstrap always sets it
        raise RuntimeError("the container has no execution reads")
    return container.reads
