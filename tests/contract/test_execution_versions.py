"""Light reads of one execution: its version (what read caches check) and its summary."""

from __future__ import annotations

from drorch.domain.statuses import ExecutionStatus
from drorch.ports.store import Store
from tests.unit.engine.factory import execution


def test_version_follows_every_save_and_is_none_for_an_unknown_id(store: Store) -> None:
    ex = execution([("a", 2)])
    with store.transaction() as uow:
        assert uow.executions.version(ex.id) is None
        uow.executions.add(ex)
    with store.read() as uow:
        assert uow.executions.version(ex.id) == ex.version == 1
    with store.transaction() as uow:
        uow.executions.save(ex.model_copy(update={"version": 2}), expected_version=1)
    with store.read() as uow:
        assert uow.executions.version(ex.id) == 2
        assert uow.executions.version("ex-unknown") is None


def test_summary_follows_the_header_and_is_none_for_an_unknown_id(store: Store) -> None:
    ex = execution([("a", 2), ("b", 1)])
    with store.transaction() as uow:
        assert uow.executions.summary(ex.id) is None
        uow.executions.add(ex)
    with store.transaction() as uow:
        running = ex.model_copy(update={"version": 2, "status": ExecutionStatus.RUNNING})
        uow.executions.save(running, expected_version=1)
    with store.read() as uow:
        found = uow.executions.summary(ex.id)
        assert found is not None
        assert (found.id, found.plan_id, found.plan_name) == (ex.id, ex.plan_id, ex.plan_name)
        assert (found.status, found.type, found.servers) == ("RUNNING", ex.type, 3)
        assert uow.executions.summary("ex-unknown") is None
