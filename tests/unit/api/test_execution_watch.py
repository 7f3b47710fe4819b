"""The execution watch: one poller per execution for all its streams, waking them on news."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.executions.watch import ExecutionWatch
from drorch.domain.executions import Event
from tests.unit.engine.factory import at, execution

POLL = 0.01
# Bounds the waits of a broken watch; a working one wakes within a few polls.
PATIENCE = 5.0


def store_with_execution() -> SqliteStore:
    store = SqliteStore(":memory:")
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 2)]))
    return store


def append_event(store: SqliteStore, message: str) -> None:
    with store.transaction() as uow:
        uow.executions.append_events(
            "ex-1", [Event(at=at(1), actor="t", kind="k", message=message)]
        )


async def watched() -> None:
    store = store_with_execution()
    watch = ExecutionWatch(store, poll_seconds=POLL, refresh_seconds=POLL * 4)
    first = watch.subscribe("ex-1")
    second = watch.subscribe("ex-1")
    assert watch.pollers() == 1  # two streams, one poller
    # The first read wakes the streams once (they may have read just before it).
    baseline = await watch.wait("ex-1", first, PATIENCE)
    assert baseline > first
    quiet = await watch.wait("ex-1", baseline, POLL * 10)
    assert quiet == baseline  # nothing new: the wait ran out without a wake-up
    append_event(store, "news")
    woken = await asyncio.gather(
        watch.wait("ex-1", baseline, PATIENCE), watch.wait("ex-1", max(baseline, second), PATIENCE)
    )
    assert all(g > baseline for g in woken)
    watch.unsubscribe("ex-1")
    assert watch.pollers() == 1
    watch.unsubscribe("ex-1")
    assert watch.pollers() == 0  # the last stream gone, the poller stops
    store.close()


def test_streams_of_one_execution_share_a_poller_that_wakes_them() -> None:
    # A thread of its own: the browser tests may leave an event loop on the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, watched()).result()
