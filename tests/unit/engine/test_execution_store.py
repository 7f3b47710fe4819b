"""The SQLite execution repository: leases, the due-time queue, timelines, conflicts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Command, Event
from drorch.errors import ConflictError
from drorch.ports.execution_store import ExecutionQuery
from tests.unit.engine.factory import T0, at, execution


@pytest.fixture
def store(tmp_path: object) -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    with s.transaction() as uow:
        uow.executions.add(execution([("a", 2)]))
        uow.executions.schedule("ex-1", T0)
    yield s
    s.close()


def test_a_due_execution_is_claimed_by_one_worker_until_its_lease_expires(
    store: SqliteStore,
) -> None:
    with store.transaction() as uow:
        repo = uow.executions
        assert repo.claim_due(owner="w1", now=at(1), lease_until=at(16), limit=10) == ["ex-1"]
        assert repo.claim_due(owner="w2", now=at(2), lease_until=at(17), limit=10) == []
        assert not repo.claim("ex-1", owner="w2", now=at(2), lease_until=at(17))
        assert repo.holds("ex-1", owner="w1", now=at(10))
        assert repo.claim_due(owner="w2", now=at(20), lease_until=at(35), limit=10) == ["ex-1"]
        assert not repo.holds("ex-1", owner="w1", now=at(20))
        assert not repo.release("ex-1", owner="w1", due_at=at(30))


def test_release_sets_the_next_due_time_or_drops_the_row(store: SqliteStore) -> None:
    with store.transaction() as uow:
        repo = uow.executions
        repo.claim_due(owner="w1", now=at(1), lease_until=at(16), limit=10)
        assert repo.release("ex-1", owner="w1", due_at=at(40))
        assert repo.next_due() == at(40)
        repo.claim("ex-1", owner="w1", now=at(41), lease_until=at(56))
        assert repo.release("ex-1", owner="w1", due_at=None)
        assert repo.next_due() is None


def test_a_wake_up_during_a_lease_is_not_lost(store: SqliteStore) -> None:
    with store.transaction() as uow:
        repo = uow.executions
        repo.claim_due(owner="w1", now=at(1), lease_until=at(16), limit=10)
        repo.schedule("ex-1", at(2))  # an operator action arrives meanwhile
        repo.release("ex-1", owner="w1", due_at=at(60))
        assert repo.next_due() == at(2)
        repo.claim("ex-1", owner="w1", now=at(3), lease_until=at(18))
        repo.schedule("ex-1", at(4))
        repo.release("ex-1", owner="w1", due_at=None)
        assert repo.next_due() == at(4)


def test_busy_servers_come_from_active_executions_only(store: SqliteStore) -> None:
    with store.read() as uow:
        assert uow.executions.busy_servers() == {
            "s-00000000000000001": "ex-1",
            "s-00000000000000002": "ex-1",
        }


def test_saving_needs_the_expected_version_and_frees_servers_at_the_end(store: SqliteStore) -> None:
    with store.transaction() as uow:
        ex = uow.executions.get("ex-1")
        assert ex is not None
        ex.status, ex.version = "CANCELLED", 2
        uow.executions.save(ex, expected_version=1)
        with pytest.raises(ConflictError):
            uow.executions.save(ex, expected_version=1)
        assert uow.executions.busy_servers() == {}  # a CANCELLED execution holds nothing
        page = uow.executions.page(ExecutionQuery(status="CANCELLED"))
        assert [s.id for s in page.items] == ["ex-1"]


def test_events_are_numbered_and_paged_and_commands_queue(store: SqliteStore) -> None:
    events = [Event(at=at(i), actor="t", kind="k", message=str(i)) for i in range(5)]
    with store.transaction() as uow:
        repo = uow.executions
        repo.append_events("ex-1", events[:3])
        repo.append_events("ex-1", events[3:])
        repo.add_command("ex-1", Command(action="pause", actor="op", at=at(1)))
        repo.add_command("ex-1", Command(action="resume", actor="op", at=at(2)))
        first = repo.events_page("ex-1", None, 2)
        second = repo.events_page("ex-1", first.next_cursor, 10)
        assert [e.seq for e in first.items + second.items] == [1, 2, 3, 4, 5]
        assert second.next_cursor is None
        repo.drop_commands("ex-1", 1)
        assert [c.action for c in repo.commands("ex-1")] == ["resume"]
