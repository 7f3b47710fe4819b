"""What only the DynamoDB adapter has to get right: big writes, limits, throttling, repair."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from drorch.adapters.storage.dynamodb import DynamoStore, DynamoUnitOfWork
from drorch.adapters.storage.dynamodb.records import partition
from drorch.adapters.storage.dynamodb.table import Table
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.domain.accounts import TargetAccount, default_role_arn
from drorch.domain.execution_records import changed_records
from drorch.domain.executions import Event
from drorch.engine.working import working_copy, writable
from drorch.errors import ConflictError, PayloadTooLargeError, StoreLimitError
from drorch.ports.store import ServerQuery
from tests.contract.test_store import a_group
from tests.support.builders import server, server_id
from tests.support.moto_server import RunningMoto, running_moto
from tests.unit.engine.factory import T0, execution, sid

_prefixes = itertools.count(1)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with running_moto(tmp_path_factory.mktemp("moto-dynamo")) as server:
        yield server


@pytest.fixture
def store(moto: RunningMoto) -> DynamoStore:
    return DynamoStore(moto.client("dynamodb"), prefix=f"big-{next(_prefixes)}")


def test_a_start_over_the_transaction_limit_lands_whole_and_claims_every_server(
    store: DynamoStore,
) -> None:
    big = execution([("a", 30), ("b", 21)])  # 51 claims + 55 records: over 100
    with store.transaction() as uow:
        uow.executions.add(big)
    with store.read() as uow:
        assert uow.executions.get(big.id) == big
        assert len(uow.executions.busy_servers()) == 51
    overlapping = execution([("a", 60)]).model_copy(update={"id": "ex-2"})
    with pytest.raises(ConflictError) as refused, store.transaction() as uow:
        uow.executions.add(overlapping)
    assert len(refused.value.extra["conflicts"]) == 51
    with store.read() as uow:
        assert uow.executions.get("ex-2") is None
        assert set(uow.executions.busy_servers().values()) == {big.id}


def test_a_big_save_is_invisible_until_its_header_lands_and_a_dead_one_is_repaired(
    store: DynamoStore,
) -> None:
    ex = execution([("a", 70)])
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    for n in range(1, 66):
        writable(new, sid(n)).error = "launched"
    new.version = 2
    # A worker dies between the records written ahead and its header's commit.
    unit = Unit(store.table, write=True)
    dying = DynamoUnitOfWork(unit, store.cursors)
    dying.executions.save(new, expected_version=1, changes=changed_records(ex, new))
    for step in unit.before:  # the commit's first steps (marking the header), and no more
        step()
    unit._write_ahead()
    with store.read() as uow:
        assert uow.executions.get(ex.id) == ex  # the dead save's records stay invisible
    with pytest.raises(ConflictError, match="being saved"), store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
    _age_pending(store, ex.id)
    half = working_copy(ex)
    writable(half, sid(70)).error = "only this one"
    half.version = 2
    with store.transaction() as uow:  # repairs first, then saves
        uow.executions.save(half, expected_version=1, changes=changed_records(ex, half))
    with store.read() as uow:
        assert uow.executions.get(ex.id) == half


def test_a_big_save_that_fails_at_commit_leaves_the_execution_as_it_was(
    store: DynamoStore,
) -> None:
    ex = execution([("a", 65)])
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    for n in range(1, 66):
        writable(new, sid(n)).error = "never committed"
    new.version = 2
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
        # Another unit adds the same account meanwhile: this commit fails, late.
        uow.accounts.add(_account(1))
        _race_account(store)
    with store.read() as uow:
        assert uow.executions.get(ex.id) == ex
    again = working_copy(ex).model_copy(update={"version": 2})
    with store.transaction() as uow:  # no pending mark left behind: the next save goes through
        uow.executions.save(again, expected_version=1)
    with store.read() as uow:
        assert uow.executions.version(ex.id) == 2


def test_a_big_save_at_a_stale_version_conflicts_and_writes_nothing(store: DynamoStore) -> None:
    ex = execution([("a", 65)])
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    for n in range(1, 66):
        writable(new, sid(n)).error = "x"
    new.version = 2
    with store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
    ended = working_copy(new).model_copy(update={"status": "CANCELLED", "version": 3})
    with store.transaction() as uow:
        uow.executions.save(ended, expected_version=2, changes=changed_records(new, ended))
    with store.read() as uow:
        assert uow.executions.get(ex.id) == ended
        assert uow.executions.busy_servers() == {}  # the ending save gave up 65 claims


def test_an_item_over_400_kb_is_refused_never_truncated(store: DynamoStore) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
    huge = Event(at=T0, actor="drorch", kind="note", message="x" * 420_000)
    with pytest.raises(PayloadTooLargeError, match="400"), store.transaction() as uow:
        uow.executions.append_events("ex-1", [huge])
    with store.read() as uow:
        assert uow.executions.events_since("ex-1", 0, 10) == []


def test_an_atomic_group_over_100_items_is_a_clear_error(store: DynamoStore) -> None:
    with pytest.raises(StoreLimitError, match="at most 100"), store.transaction() as uow:
        for n in range(101):
            uow.accounts.add(_account(n))
    with store.read() as uow:
        assert uow.accounts.all() == []


def test_throttled_calls_are_retried_with_backoff_and_failed_conditions_conflict(
    moto: RunningMoto,
) -> None:
    client = moto.client("dynamodb")
    pauses: list[float] = []
    table = Table(client, "t", sleep=pauses.append)
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, "body": {"S": "{}"}}
    with Stubber(client) as stub:
        for code in ("ProvisionedThroughputExceededException", "ThrottlingException"):
            stub.add_client_error("get_item", service_error_code=code, http_status_code=400)
        stub.add_response("get_item", {"Item": item})
        stub.add_client_error(
            "put_item", service_error_code="ConditionalCheckFailedException", http_status_code=400
        )
        assert table.get("p", "s") == {"pk": "p", "sk": "s", "body": "{}"}
        with pytest.raises(ConflictError):
            table.transact([table.put_op({"pk": "p", "sk": "s"}, ("attribute_not_exists(pk)", {}))])
    assert len(pauses) == 2 and all(p >= 0 for p in pauses)
    assert table.calls["get_item"] == 1


def _account(n: int) -> TargetAccount:
    account_id = f"{n:012d}"
    return TargetAccount(
        account_id=account_id,
        name=f"a{n}",
        role_arn=default_role_arn(account_id),
        regions=["us-east-1"],
        external_id=f"ext-{n}",
        created_at=T0,
        updated_at=T0,
    )


def _race_account(store: DynamoStore) -> None:
    """Commit, from outside the open unit, the account the open unit is about to add."""
    other = DynamoStore(store.table.client, prefix=store.table.name.removesuffix("-store"))
    with other.transaction() as uow:
        uow.accounts.add(_account(1))


def _age_pending(store: DynamoStore, execution_id: str) -> None:
    """Make the dead save's mark look as old as a dead worker's would be."""
    client: Any = store.table.client
    client.update_item(
        TableName=store.table.name,
        Key={"pk": {"S": partition(execution_id)}, "sk": {"S": "h"}},
        UpdateExpression="SET pending = :t",
        ExpressionAttributeValues={":t": {"N": "1"}},
    )


def _grouped_page(store: DynamoStore) -> tuple[list[tuple[Any, Any]], dict[str, int]]:
    before = dict(store.table.calls)
    with store.read() as uow:
        page = uow.servers.page_json(ServerQuery(sort="id", limit=10))
    calls = {k: v - before.get(k, 0) for k, v in store.table.calls.items() if v > before.get(k, 0)}
    listed = [json.loads(s) for s in page.items]
    return [(s["group_id"], s["group_name"]) for s in listed], calls


def test_a_page_of_servers_reads_its_groups_in_one_query_not_one_read_per_server(
    store: DynamoStore,
) -> None:
    group = a_group(1)
    with store.transaction() as uow:
        uow.servers.upsert_many([server(n) for n in range(1, 7)])
        uow.groups.add(group)
        uow.groups.add(a_group(2))
        uow.groups.set_members(group.id, [server_id(2), server_id(5)])
    expected = [(None, None)] * 6
    expected[1] = expected[4] = (group.id, group.name)
    assert _grouped_page(store) == (expected, {"query": 2})
    # A group item written before the copies existed lacks them: the member items answer.
    store.table.client.update_item(
        TableName=store.table.name,
        Key={"pk": {"S": "grp"}, "sk": {"S": a_group(2).id}},
        UpdateExpression="REMOVE members",
    )
    listed, calls = _grouped_page(store)
    assert listed == expected
    assert calls["batch_get_item"] >= 1


def test_a_table_without_seeded_counters_counts_its_executions_from_the_index(
    store: DynamoStore,
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
    client: Any = store.table.client
    # As a table made before the counters: the counter item has counts but no seed mark.
    client.delete_item(
        TableName=store.table.name, Key={"pk": {"S": "gauge"}, "sk": {"S": "executions"}}
    )
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)], first_server=2).model_copy(update={"id": "ex-2"}))
    assert store.execution_counts() == {("DRILL", "PENDING"): 2}


def test_a_table_made_elsewhere_gets_its_counters_marked_at_the_first_empty_count(
    store: DynamoStore,
) -> None:
    client: Any = store.table.client
    key = {"pk": {"S": "gauge"}, "sk": {"S": "executions"}}
    client.delete_item(TableName=store.table.name, Key=key)  # as the stack's template makes it
    assert store.execution_counts() == {}
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
    marked = client.get_item(TableName=store.table.name, Key=key)["Item"]
    assert marked["seeded"] == {"BOOL": True} and marked["x|DRILL|PENDING"] == {"N": "1"}
    assert store.execution_counts() == {("DRILL", "PENDING"): 1}
