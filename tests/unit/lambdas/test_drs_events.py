"""DRS events from EventBridge: what they name, and which executions they wake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Intent, IntentState
from drorch.engine.drivers.events import DrsEvent, concerned, parse_drs_event
from tests.unit.engine.factory import ACCOUNT, REGION, T0, execution, sid

JOB = "drsjob-0123456789abcdefA"


def _event(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "version": "0",
        "detail-type": "DRS Source Server Launch Result",
        "source": "aws.drs",
        "account": ACCOUNT,
        "region": REGION,
        "resources": [f"arn:aws:drs:{REGION}:{ACCOUNT}:source-server/{sid(1)}"],
        "detail": {"state": "DRILL_LAUNCH_SUCCEEDED", "job-id": JOB},
    }
    return {**base, **fields}


def test_a_launch_result_names_its_scope_server_and_job() -> None:
    assert parse_drs_event(_event()) == DrsEvent(
        ACCOUNT, REGION, frozenset({sid(1)}), frozenset({JOB})
    )


@pytest.mark.parametrize(
    "event",
    [
        {"source": "aws.ec2", "account": ACCOUNT, "region": REGION},
        {"source": "aws.drs", "region": REGION},  # no account
        {"execution_id": "ex-1"},
    ],
)
def test_anything_else_is_not_a_drs_event(event: dict[str, object]) -> None:
    assert parse_drs_event(event) is None


def test_ids_that_are_not_drs_ids_are_ignored() -> None:
    found = parse_drs_event(_event(resources=["arn:aws:ec2:::instance/i-123"], detail={"a": 1}))
    assert found == DrsEvent(ACCOUNT, REGION, frozenset(), frozenset())


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


def _running(store: SqliteStore, first_server: int, job_id: str | None) -> str:
    """An active execution of two servers with one job in flight for its first server."""
    ex = execution([("a", 2)], first_server=first_server)
    ex = ex.model_copy(update={"id": f"ex-{first_server:03d}"})
    intent = Intent(
        execution_id=ex.id,
        batch_id=f"b-{ex.id}",
        kind="LAUNCH",
        execution_type="DRILL",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=[sid(first_server)],
        state=IntentState.STARTED if job_id else IntentState.OPEN,
        job_id=job_id,
        created_at=T0,
    )
    with store.transaction() as uow:
        uow.executions.add(ex)
        uow.executions.add_intent(intent)
    return ex.id


def test_the_execution_whose_job_or_server_is_named_is_concerned(store: SqliteStore) -> None:
    by_job = _running(store, 1, JOB)
    by_server = _running(store, 10, None)
    _running(store, 20, "drsjob-99999999999999999")  # another job, other servers
    assert concerned(store, DrsEvent(ACCOUNT, REGION, frozenset(), frozenset({JOB}))) == [by_job]
    named = DrsEvent(ACCOUNT, REGION, frozenset({sid(10)}), frozenset())
    assert concerned(store, named) == [by_server]


def test_a_server_without_a_job_in_flight_wakes_the_execution_holding_it(
    store: SqliteStore,
) -> None:
    ex_id = _running(store, 1, JOB)
    # Server 2 is in no open job, but the active execution holds it.
    event = DrsEvent(ACCOUNT, REGION, frozenset({sid(2)}), frozenset())
    assert concerned(store, event) == [ex_id]


def test_an_event_of_another_scope_or_unknown_servers_wakes_nothing(store: SqliteStore) -> None:
    _running(store, 1, JOB)
    assert concerned(store, DrsEvent(ACCOUNT, "eu-west-1", frozenset(), frozenset({JOB}))) == []
    assert concerned(store, DrsEvent(ACCOUNT, REGION, frozenset({sid(77)}), frozenset())) == []
