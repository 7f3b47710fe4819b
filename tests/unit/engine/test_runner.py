"""The local runner: threads advance due executions, wake-ups, leases of dead workers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from drorch.adapters.clock import ManualClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.engine.advance import Engine
from drorch.engine.runner import Runner
from drorch.ports.drs import Scope
from tests.unit.engine.factory import ACCOUNT, REGION, T0, at, execution
from tests.unit.engine.fake_drs import FakeDrs


@pytest.fixture
def store(tmp_path: object) -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    with s.transaction() as uow:
        uow.executions.add(execution([("a", 2)]))
        uow.executions.schedule("ex-1", T0)
    yield s
    s.close()


def status(store: SqliteStore) -> str:
    with store.read() as uow:
        ex = uow.executions.get("ex-1")
    assert ex is not None
    return ex.status


def test_the_runner_advances_due_work_in_its_threads_and_stops_cleanly(store: SqliteStore) -> None:
    drs = FakeDrs(Scope(ACCOUNT, REGION))
    runner = Runner(Engine(store=store, drs=drs, clock=ManualClock(T0), owner="w1"), max_sleep=0.05)
    runner.start()
    try:
        while status(store) == "PENDING":
            runner.wake("ex-1")
            time.sleep(0.01)
    finally:
        runner.stop()
    assert status(store) == "RUNNING"
    assert drs.calls.count("StartRecovery") == 1
    with store.read() as uow:
        assert uow.executions.leases() == {}


def test_leases_of_a_dead_worker_on_this_host_are_released_at_start(store: SqliteStore) -> None:
    dead = f"{socket.gethostname()}:999999999:abc"
    elsewhere = "other-host:1:abc"
    with store.transaction() as uow:
        uow.executions.claim("ex-1", owner=dead, now=T0, lease_until=at(3600))
    drs = FakeDrs(Scope(ACCOUNT, REGION))
    runner = Runner(Engine(store=store, drs=drs, clock=ManualClock(T0), owner="w1"), max_sleep=0.05)
    runner._release_dead_local_leases()
    with store.transaction() as uow:
        assert uow.executions.leases() == {}
        assert uow.executions.claim("ex-1", owner=elsewhere, now=T0, lease_until=at(3600))
    runner._release_dead_local_leases()
    with store.read() as uow:
        assert uow.executions.leases() == {"ex-1": elsewhere}
