"""The store's view of itself the doctor reads: health and size, leases, uncleaned drills."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.store import Store
from tests.support.builders import server


@pytest.fixture(params=["sqlite-memory", "sqlite-file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    path = ":memory:" if request.param == "sqlite-memory" else tmp_path / "drorch.db"
    s = SqliteStore(path)
    yield s
    s.close()


def test_health_is_ok_and_the_size_grows_with_the_rows(store: Store) -> None:
    before = store.health()
    assert before.ok
    assert before.detail == "ok"
    with store.transaction() as uow:
        uow.servers.upsert_many([server(n, hostname="h" * 200) for n in range(2000)])
    after = store.health()
    assert after.ok
    assert after.size_bytes > before.size_bytes > 0


def test_an_empty_store_has_no_leases_events_or_uncleaned_drills(store: Store) -> None:
    with store.read() as uow:
        assert uow.executions.lease_rows() == []
        assert uow.executions.last_event("ex-none") is None
        assert uow.executions.uncleaned_drills() == []
