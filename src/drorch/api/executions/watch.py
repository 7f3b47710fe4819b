"""One poller per watched execution, waking all of its streams when something changed.

A thousand streams on one execution then cost one store read per poll interval, not a
thousand: a quiet stream waits for a wake-up instead of polling the store itself. A poll
reads the execution's stored version and its newest events, never the execution itself,
so watching an execution where nothing happens parses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import anyio

from drorch.services.execution_reads import ExecutionReads

log = logging.getLogger("drorch.api.stream")
EVENT_BATCH = 500


@dataclass
class _Feed:
    """What the poller of one execution has seen, and who waits for news of it."""

    streams: int = 0
    generation: int = 0
    after_seq: int = -1  # -1: not read yet
    version: int | None = None
    news: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def bump(self) -> None:
        """Wake every stream waiting on the current generation."""
        self.generation += 1
        woken, self.news = self.news, asyncio.Event()
        woken.set()


class ExecutionWatch:
    """Polls each watched execution once per interval on behalf of all its streams."""

    def __init__(self, reads: ExecutionReads, *, poll_seconds: float) -> None:
        self.reads = reads
        self.poll_seconds = poll_seconds
        self._feeds: dict[str, _Feed] = {}

    def subscribe(self, execution_id: str) -> int:
        """Count a stream in; its starting generation. Call `unsubscribe` when it ends."""
        feed = self._feeds.get(execution_id)
        if feed is None:
            feed = self._feeds[execution_id] = _Feed()
            feed.task = asyncio.get_running_loop().create_task(self._poll(execution_id, feed))
        feed.streams += 1
        return feed.generation

    def unsubscribe(self, execution_id: str) -> None:
        """Count a stream out; the poller stops with the last one."""
        feed = self._feeds.get(execution_id)
        if feed is None:
            return
        feed.streams -= 1
        if feed.streams <= 0:
            del self._feeds[execution_id]
            if feed.task is not None:
                feed.task.cancel()

    def pollers(self) -> int:
        """Executions being polled now (one poller each, however many streams)."""
        return len(self._feeds)

    async def wait(self, execution_id: str, seen: int, timeout: float) -> int:
        """The generation once it is past `seen`, or after `timeout` s (the same one then)."""
        feed = self._feeds.get(execution_id)
        if feed is None:
            return seen
        if feed.generation == seen:
            with anyio.move_on_after(max(timeout, 0.0)):
                await feed.news.wait()
        return feed.generation

    async def _poll(self, execution_id: str, feed: _Feed) -> None:
        while True:
            try:
                # Two primary-key reads: cheap enough for the event loop, no thread hand-off.
                changed = self._changed(execution_id, feed)
            except Exception:  # a failed read is retried at the next interval
                log.exception("watching execution %s failed", execution_id)
                changed = False
            if changed:
                feed.bump()
            await anyio.sleep(self.poll_seconds)

    def _changed(self, execution_id: str, feed: _Feed) -> bool:
        """True when new events were logged or the stored version moved."""
        version, last_seq = self.reads.marks(execution_id)
        # The first read wakes everyone too: a stream may have read just before it.
        news = feed.after_seq < 0 or last_seq != feed.after_seq or version != feed.version
        feed.version, feed.after_seq = version, last_seq
        return news
