"""The figures the metrics endpoint reads from any store: executions by status, the queue."""

from __future__ import annotations

from typing import cast

from drorch.domain.execution_records import changed_records
from drorch.ports.metrics import StoreFigures
from drorch.ports.store import Store
from tests.unit.engine.factory import T0, at, execution


def figures(store: Store) -> StoreFigures:
    assert hasattr(store, "execution_counts") and hasattr(store, "engine_queue")
    return cast(StoreFigures, store)


def test_executions_are_counted_by_type_and_status_as_they_change(store: Store) -> None:
    assert figures(store).execution_counts() == {}
    first = execution([("a", 1)])
    second = execution([("a", 1)], first_server=2).model_copy(update={"id": "ex-2"})
    with store.transaction() as uow:
        uow.executions.add(first)
    with store.transaction() as uow:
        uow.executions.add(second)
    assert figures(store).execution_counts() == {("DRILL", first.status): 2}
    ended = first.model_copy(update={"status": "CANCELLED", "version": 2})
    with store.transaction() as uow:
        uow.executions.save(ended, expected_version=1, changes=changed_records(first, ended))
    counts = figures(store).execution_counts()
    assert counts == {("DRILL", first.status): 1, ("DRILL", "CANCELLED"): 1}


def test_the_engine_queue_counts_due_and_leased_executions(store: Store) -> None:
    with store.transaction() as uow:
        for n in (1, 2, 3):
            ex = execution([("a", 1)], first_server=n).model_copy(update={"id": f"ex-{n}"})
            uow.executions.add(ex)
        uow.executions.schedule("ex-1", at(5))
        uow.executions.schedule("ex-2", at(8))
        uow.executions.schedule("ex-3", at(100))
    with store.transaction() as uow:
        assert uow.executions.claim("ex-2", owner="w1", now=at(9), lease_until=at(30))
    queue = figures(store).engine_queue(at(10))
    assert (queue.due, queue.leased, queue.oldest_due_at) == (1, 1, at(5))
    assert figures(store).engine_queue(T0).due == 0
