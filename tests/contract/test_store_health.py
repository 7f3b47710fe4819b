"""The store's view of itself the doctor reads: health and size, leases, uncleaned drills."""

from __future__ import annotations

from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.ports.store import Store
from tests.support.builders import server


def test_health_is_ok_and_the_size_grows_with_the_rows(store: Store) -> None:
    before = store.health()
    assert before.ok
    assert before.detail == "ok"
    dynamo = isinstance(store, DynamoStore)
    with store.transaction() as uow:
        count = 50 if dynamo else 2000
        uow.servers.upsert_many([server(n, hostname="h" * 200) for n in range(count)])
    after = store.health()
    assert after.ok
    if dynamo:
        # DynamoDB's size is TableSizeBytes, refreshed about every six hours (moto: 0),
        # so it is a reported figure, never below zero, rather than a live count.
        assert after.size_bytes >= before.size_bytes >= 0
        assert store.table.describe()["TableStatus"] == "ACTIVE"
    else:
        assert after.size_bytes > before.size_bytes > 0


def test_an_empty_store_has_no_leases_events_or_uncleaned_drills(store: Store) -> None:
    with store.read() as uow:
        assert uow.executions.lease_rows() == []
        assert uow.executions.last_event("ex-none") is None
        assert uow.executions.uncleaned_drills() == []
