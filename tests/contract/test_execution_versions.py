"""The store's execution version read: what read caches check before trusting a parsed copy."""

from __future__ import annotations

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
