"""Execution reads: one parse per stored version, pages with filters and cursors, changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drorch.adapters.storage.paging import Cursors
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Batch, Execution
from drorch.domain.statuses import ExecutionStatus
from drorch.errors import NotFoundError, ValidationError
from drorch.services.execution_reads import ExecutionReads, JobPageQuery, ServerPageQuery
from tests.unit.engine.factory import ACCOUNT, REGION, at, execution, sid

OTHER_ACCOUNT = "444455556666"


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


def stored(store: SqliteStore) -> Execution:
    """Waves a (3 servers) and b (2): s1 LAUNCHED, s2 FAILED, s5 in another account."""
    ex = execution([("a", 3), ("b", 2)])
    first, second = ex.waves[0].servers[0], ex.waves[0].servers[1]
    first.status, first.hostname, first.ec2_instance_id = "LAUNCHED", "web-1", "i-0abc"
    first.started_at, first.ended_at = at(10), at(70)
    second.status, second.hostname, second.started_at = "FAILED", "DB-2", at(10)
    ex.waves[1].servers[1].account_id = OTHER_ACCOUNT
    ex.batches = [
        Batch(
            batch_id="b-1",
            kind="LAUNCH",
            wave="a",
            account_id=ACCOUNT,
            region=REGION,
            source_server_ids=[sid(1), sid(2)],
            state="DONE",
            job_id="drsjob-1",
            created_at=at(5),
            started_at=at(9),
            ended_at=at(80),
        )
    ]
    with store.transaction() as uow:
        uow.executions.add(ex)
    return ex


def save(store: SqliteStore, ex: Execution) -> Execution:
    new = ex.model_copy(update={"version": ex.version + 1}, deep=True)
    with store.transaction() as uow:
        uow.executions.save(new, expected_version=ex.version)
    return new


def ids(page_items: list[object]) -> list[str]:
    return [r.server.source_server_id for r in page_items]  # type: ignore[attr-defined]


def test_a_version_is_parsed_once_and_read_again_only_when_it_moves(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    assert reads.cached(ex.id) is None  # nothing parsed yet
    first = reads.view(ex.id)
    assert reads.view(ex.id) is first and reads.cached(ex.id) is first
    assert reads.loads == 1
    assert first.counts == {"FAILED": 1, "LAUNCHED": 1, "PENDING": 3}
    assert first.wave_counts["b"] == {"PENDING": 2}
    save(store, ex)
    assert reads.cached(ex.id) is None  # the stored version moved on
    second = reads.view(ex.id)
    assert second.version == 2 and reads.loads == 2
    with pytest.raises(NotFoundError):
        reads.view("ex-unknown")


def test_the_cache_keeps_only_the_latest_views(store: SqliteStore) -> None:
    reads = ExecutionReads(store, Cursors(), cache_size=1)
    ex = stored(store)
    # Ended, so it claims no server (the first execution holds them all).
    ended = {"id": "ex-2", "status": ExecutionStatus.COMPLETED}
    other = execution([("z", 1)]).model_copy(update=ended)
    with store.transaction() as uow:
        uow.executions.add(other)
    reads.view(ex.id)
    reads.view("ex-2")
    assert reads.cached(ex.id) is None and reads.cached("ex-2") is not None


def test_pages_walk_every_server_once_in_plan_order(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    view = reads.view(ex.id)
    seen, cursor = [], None
    while True:
        page = reads.servers(view, ServerPageQuery(limit=2, cursor=cursor))
        seen += ids(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [sid(n) for n in range(1, 6)]
    assert [r.wave for r in reads.servers(view, ServerPageQuery()).items] == list("aaabb")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (ServerPageQuery(wave="b"), [4, 5]),
        (ServerPageQuery(statuses=frozenset({"FAILED", "LAUNCHED"})), [1, 2]),
        (ServerPageQuery(account_id=OTHER_ACCOUNT), [5]),
        (ServerPageQuery(search="db-"), [2]),
        (ServerPageQuery(search="I-0ABC"), [1]),
        (ServerPageQuery(wave="a", statuses=frozenset({"PENDING"})), [3]),
        (ServerPageQuery(wave="nope"), []),
    ],
)
def test_filters(store: SqliteStore, query: ServerPageQuery, expected: list[int]) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    page = reads.servers(reads.view(ex.id), query)
    assert ids(page.items) == [sid(n) for n in expected] and page.next_cursor is None


def test_a_filtered_page_continues_after_its_cursor(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    view = reads.view(ex.id)
    pending = frozenset({"PENDING"})
    first = reads.servers(view, ServerPageQuery(statuses=pending, limit=2))
    assert ids(first.items) == [sid(3), sid(4)] and first.next_cursor
    rest = reads.servers(view, ServerPageQuery(statuses=pending, cursor=first.next_cursor))
    assert ids(rest.items) == [sid(5)]


def test_cursors_belong_to_one_execution_and_one_listing(store: SqliteStore) -> None:
    ex = stored(store)
    other = execution([("z", 3)]).model_copy(
        update={"id": "ex-2", "status": ExecutionStatus.COMPLETED}
    )
    with store.transaction() as uow:
        uow.executions.add(other)
    reads = ExecutionReads(store, Cursors())
    cursor = reads.servers(reads.view(ex.id), ServerPageQuery(limit=1)).next_cursor
    with pytest.raises(ValidationError):
        reads.servers(reads.view("ex-2"), ServerPageQuery(cursor=cursor))
    with pytest.raises(ValidationError):
        reads.jobs(reads.view(ex.id), JobPageQuery(cursor=cursor))
    with pytest.raises(ValidationError):
        reads.servers(reads.view(ex.id), ServerPageQuery(cursor=f"{cursor}x"))


def test_changed_since_names_only_the_servers_that_changed(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    before = reads.view(ex.id)
    moved = ex.model_copy(deep=True)
    moved.waves[1].servers[0].status = "LAUNCHING"
    moved.paused_reason = "header only"
    after = reads.view(save(store, moved).id)
    assert ids(after.changed_since(before)) == [sid(4)]
    assert after.changed_since(after) == []


def test_the_timeline_spans_each_job_by_its_servers(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    timeline = reads.view(ex.id).timeline()
    assert [w.wave.name for w in timeline.waves] == ["a", "b"] and timeline.cleanup == []
    (span,) = timeline.waves[0].batches
    assert (span.first_start, span.last_end) == (at(10), at(70))
    assert span.counts == {"FAILED": 1, "LAUNCHED": 1} and span.server_count == 2
    assert timeline.waves[1].batches == []


def test_jobs_page_by_kind(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    view = reads.view(ex.id)
    assert [b.batch_id for b in reads.jobs(view, JobPageQuery()).items] == ["b-1"]
    assert reads.jobs(view, JobPageQuery(kind="TERMINATE")).items == []


def test_events_and_marks_need_an_existing_execution(store: SqliteStore) -> None:
    ex = stored(store)
    reads = ExecutionReads(store, Cursors())
    assert reads.marks(ex.id) == (1, 0) and reads.events_since(ex.id, 0, 10) == []
    with pytest.raises(NotFoundError):
        reads.events_since("ex-unknown", 0, 10)
    assert reads.loads == 0
