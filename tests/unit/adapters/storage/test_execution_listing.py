"""The executions list: newest first, filtered, paged by cursor, from one statement a page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.execution_store import ExecutionQuery
from tests.unit.engine.factory import T0, execution

# (id, minutes after T0, type, first server): one server each, no two holding the same one.
RUNS = [("ex-a", 1, "DRILL", 1), ("ex-b", 3, "RECOVERY", 2), ("ex-c", 2, "DRILL", 3)]


@pytest.fixture(scope="module")
def store() -> Iterator[SqliteStore]:
    made = SqliteStore(":memory:")
    with made.transaction() as uow:
        for run_id, minutes, kind, first in RUNS:
            ex = execution([("w", 1)], type=kind, first_server=first)
            ex.id, ex.created_at = run_id, T0 + timedelta(minutes=minutes)
            uow.executions.add(ex)
    yield made
    made.close()


def walk(store: SqliteStore, **filters: str) -> tuple[list[str], int]:
    """Ids of every page of one item; (ids, SELECT statements run)."""
    seen: list[str] = []
    ids: list[str] = []
    cursor = None
    with store.db.connection() as conn:
        conn.set_trace_callback(seen.append)
        try:
            while True:
                with store.read() as uow:
                    page = uow.executions.page(ExecutionQuery(limit=1, cursor=cursor, **filters))
                ids += [s.id for s in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
        finally:
            conn.set_trace_callback(None)
    return ids, sum(s.lstrip().upper().startswith("SELECT") for s in seen)


def test_newest_first_one_statement_a_page(store: SqliteStore) -> None:
    assert walk(store) == (["ex-b", "ex-c", "ex-a"], 3)


def test_filters_narrow_the_walk(store: SqliteStore) -> None:
    assert walk(store, type="DRILL")[0] == ["ex-c", "ex-a"]
    assert walk(store, type="RECOVERY")[0] == ["ex-b"]
    assert walk(store, status="COMPLETED")[0] == []
