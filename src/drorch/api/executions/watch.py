"""One poller per watched execution, waking all of its streams when something changed.

A thousand streams on one execution then cost one store read per poll interval, not a
thousand: a quiet stream waits for a wake-up instead of polling the store itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import anyio

from drorch.ports.store import Store
from drorch.services import executions

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

    def __init__(self, store: Store, *, poll_seconds: float, refresh_seconds: float) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.refresh_seconds = refresh_seconds
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
        since_refresh = self.refresh_seconds
        while True:
            refresh = since_refresh >= self.refresh_seconds
            try:
                changed = await anyio.to_thread.run_sync(self._changed, execution_id, feed, refresh)
            except Exception:  # a failed read is retried at the next interval
                log.exception("watching execution %s failed", execution_id)
                changed = False
            if refresh:
                since_refresh = 0.0
            if changed:
                feed.bump()
            await anyio.sleep(self.poll_seconds)
            since_refresh += self.poll_seconds

    def _changed(self, execution_id: str, feed: _Feed, refresh: bool) -> bool:
        """True when new events were logged or (on a refresh) the execution changed."""
        # The first read wakes everyone too: a stream may have read just before it.
        first = feed.after_seq < 0
        news = self._new_events(execution_id, feed)
        if refresh:
            version = executions.get_execution(store=self.store, execution_id=execution_id).version
            news = news or (feed.version is not None and version != feed.version)
            feed.version = version
        return first or news

    def _new_events(self, execution_id: str, feed: _Feed) -> bool:
        found = False
        while True:
            batch = executions.events_since(
                store=self.store,
                execution_id=execution_id,
                after_seq=max(feed.after_seq, 0),
                limit=EVENT_BATCH,
            )
            if not batch:
                feed.after_seq = max(feed.after_seq, 0)
                return found
            feed.after_seq, found = batch[-1].seq, True
            if len(batch) < EVENT_BATCH:
                return found
