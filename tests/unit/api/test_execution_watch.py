"""The execution watch: one poller per execution for all its streams, waking them on news."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from drorch.adapters.storage.paging import Cursors
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.executions.watch import ExecutionWatch
from drorch.domain.executions import Event
from drorch.services.execution_reads import ExecutionReads
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


def bump_version(store: SqliteStore) -> None:
    """A change that logs no event: only the stored version moves."""
    with store.transaction() as uow:
        ex = uow.executions.get("ex-1")
        assert ex is not None
        uow.executions.save(
            ex.model_copy(update={"version": ex.version + 1}), expected_version=ex.version
        )


async def watched() -> None:
    store = store_with_execution()
    reads = ExecutionReads(store, Cursors())
    watch = ExecutionWatch(reads, poll_seconds=POLL)
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
    bump_version(store)
    moved = await watch.wait("ex-1", max(woken), PATIENCE)
    assert moved > max(woken)  # a new version without events wakes the streams too
    # Polling reads the version and the newest seq only: the execution is never parsed.
    assert reads.loads == 0
    watch.unsubscribe("ex-1")
    assert watch.pollers() == 1
    watch.unsubscribe("ex-1")
    assert watch.pollers() == 0  # the last stream gone, the poller stops
    store.close()


def test_streams_of_one_execution_share_a_poller_that_wakes_them() -> None:
    # A thread of its own: the browser tests may leave an event loop on the main thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, watched()).result()
