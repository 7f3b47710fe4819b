"""DynamoDB races forced at the wire: orphan claims, lost leases, sign-in touches.

The contract suite starts racers together and trusts the timing; here the second racer
runs from a botocore hook at the exact request where the first would lose, so every
test exercises the losing path it names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from drorch.adapters.storage.dynamodb import DynamoStore, DynamoUnitOfWork
from drorch.adapters.storage.dynamodb.executions import CLAIM_GRACE_SECONDS
from drorch.adapters.storage.dynamodb.notifications import FEED_GRACE_SECONDS
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.domain.executions import Event, Execution
from drorch.domain.identity import Role
from drorch.domain.users import User
from drorch.errors import ConflictError, PreconditionFailedError
from drorch.ports.execution_store import LeaseLost
from tests.support.moto_server import RunningMoto, running_moto
from tests.unit.engine.factory import T0, at, execution, sid

_prefixes = itertools.count(1)
LEASE = timedelta(seconds=15)


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with running_moto(tmp_path_factory.mktemp("moto-races")) as server:
        yield server


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def prefix() -> str:
    return f"race-{next(_prefixes)}"


def open_store(moto: RunningMoto, prefix: str, clock: Clock) -> DynamoStore:
    """A store with a client of its own (so a hook on it sees only its requests)."""
    store = DynamoStore(moto.client("dynamodb"), prefix=prefix)
    store.table.clock = clock
    return store


@pytest.fixture
def store(moto: RunningMoto, prefix: str, clock: Clock) -> DynamoStore:
    return open_store(moto, prefix, clock)


@pytest.fixture
def rival(moto: RunningMoto, prefix: str, clock: Clock) -> DynamoStore:
    return open_store(moto, prefix, clock)


def before_first(store: DynamoStore, operation: str, run: Callable[[], None]) -> None:
    """Run `run` once, just before the store's next `operation` request leaves."""
    fired = []

    def hook(**_: Any) -> None:
        if not fired:
            fired.append(True)
            run()

    store.table.client.meta.events.register(f"before-call.dynamodb.{operation}", hook)


def other(n: int, servers: int) -> Execution:
    return execution([("a", servers)]).model_copy(update={"id": f"ex-{n}"})


def die_after_claims(store: DynamoStore, ex: Execution) -> None:
    """A start that writes its records and claims ahead, then dies before its header."""
    unit = Unit(store.table, write=True)
    DynamoUnitOfWork(unit, store.cursors).executions.add(ex)
    for step in unit.before:
        step()
    unit._write_ahead()  # and nothing more: no header, no rollback


def test_claims_left_by_a_start_that_died_are_held_then_free_after_the_grace(
    store: DynamoStore, clock: Clock
) -> None:
    dead = execution([("a", 30), ("b", 21)])  # over the atomic limit: claims land ahead
    die_after_claims(store, dead)
    with store.read() as uow:
        assert uow.executions.get(dead.id) is None
        assert len(uow.executions.busy_servers()) == 51  # a start in flight holds them
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.add(other(2, 3))
    clock.now += CLAIM_GRACE_SECONDS + 1
    with store.read() as uow:
        assert uow.executions.busy_servers() == {}  # orphans block nobody
    with store.transaction() as uow:
        uow.executions.add(other(2, 3))
    with store.read() as uow:
        assert uow.executions.busy_servers() == {sid(n): "ex-2" for n in (1, 2, 3)}


def test_of_two_starts_taking_over_one_orphan_only_one_commits(
    store: DynamoStore, rival: DynamoStore, clock: Clock
) -> None:
    die_after_claims(store, execution([("a", 45)]))
    clock.now += CLAIM_GRACE_SECONDS + 1
    # The rival reads the same orphans and commits between this start's read and commit.
    before_first(store, "TransactWriteItems", lambda: _start(rival, other(3, 2)))
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.add(other(2, 2))
    with store.read() as uow:
        assert uow.executions.get("ex-2") is None
        assert uow.executions.busy_servers() == {sid(1): "ex-3", sid(2): "ex-3"}


def test_a_big_start_losing_the_takeover_race_puts_back_what_it_wrote(
    store: DynamoStore, rival: DynamoStore, clock: Clock
) -> None:
    die_after_claims(store, execution([("a", 45)]))
    clock.now += CLAIM_GRACE_SECONDS + 1
    before_first(store, "TransactWriteItems", lambda: _start(rival, other(3, 1)))
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.add(other(2, 45))
    with store.read() as uow:
        assert uow.executions.get("ex-2") is None
        busy = uow.executions.busy_servers()
    assert busy == {sid(1): "ex-3"}  # the loser's claims went back to the (free) orphans'


def _start(store: DynamoStore, ex: Execution) -> None:
    with store.transaction() as uow:
        uow.executions.add(ex)


def test_a_lease_taken_over_before_the_commit_is_lease_lost_and_writes_nothing(
    store: DynamoStore, rival: DynamoStore
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.schedule("ex-1", T0)
        assert uow.executions.claim("ex-1", owner="w1", now=T0, lease_until=T0 + LEASE)

    def take_over() -> None:
        with rival.transaction() as uow:
            assert uow.executions.claim("ex-1", owner="w2", now=at(20), lease_until=at(40))

    before_first(store, "TransactWriteItems", take_over)
    with pytest.raises(LeaseLost), store.transaction() as uow:
        assert uow.executions.holds("ex-1", owner="w1", now=at(14))
        uow.executions.set_waiting("ex-1", "111111111111", "us-east-1", True)
    with store.read() as uow:
        assert uow.executions.waiting("111111111111", "us-east-1") == set()
        assert uow.executions.leases() == {"ex-1": "w2"}


def test_a_lease_claimed_by_a_rival_after_the_read_is_refused_not_a_conflict(
    store: DynamoStore, rival: DynamoStore
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.schedule("ex-1", T0)

    def claim_first() -> None:
        with rival.transaction() as uow:
            assert uow.executions.claim("ex-1", owner="w2", now=T0, lease_until=T0 + LEASE)

    before_first(store, "PutItem", claim_first)
    with store.transaction() as uow:
        assert not uow.executions.claim("ex-1", owner="w1", now=T0, lease_until=T0 + LEASE)
    with store.read() as uow:
        assert uow.executions.leases() == {"ex-1": "w2"}


def test_a_failed_unit_gives_back_the_lease_it_claimed(store: DynamoStore) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.schedule("ex-1", T0)
    with pytest.raises(RuntimeError), store.transaction() as uow:
        assert uow.executions.claim("ex-1", owner="w1", now=T0, lease_until=T0 + LEASE)
        raise RuntimeError("the operator action fails after claiming")
    with store.read() as uow:
        assert uow.executions.leases() == {}


def a_user() -> User:
    return User(
        id="u-1",
        username="alice",
        display_name="Alice",
        role=Role.OPERATOR,
        created_at=T0,
        updated_at=T0,
    )


def test_a_sign_in_losing_to_another_retries_once_and_keeps_the_new_password(
    store: DynamoStore, rival: DynamoStore
) -> None:
    user = a_user()
    with store.transaction() as uow:
        uow.users.add(user, "old-hash")

    def change_password() -> None:
        with rival.transaction() as uow:
            uow.users.set_password_hash(user.id, "new-hash")

    before_first(store, "TransactWriteItems", change_password)
    touched = user.model_copy(update={"last_sign_in_at": at(5)})
    with store.transaction() as uow:
        uow.users.update(touched, expected_version=user.version)
    with store.read() as uow:
        assert uow.users.get(user.id) == touched
        assert uow.users.password_hash(user.id) == "new-hash"


def test_a_sign_in_losing_to_an_edit_of_the_user_is_a_stale_version(
    store: DynamoStore, rival: DynamoStore
) -> None:
    user = a_user()
    with store.transaction() as uow:
        uow.users.add(user, "hash")
    edited = user.model_copy(update={"enabled": False, "version": 2})

    def edit() -> None:
        with rival.transaction() as uow:
            uow.users.update(edited, expected_version=1)

    before_first(store, "TransactWriteItems", edit)
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.users.update(user.model_copy(update={"last_sign_in_at": at(5)}), expected_version=1)
    with store.read() as uow:
        assert uow.users.get(user.id) == edited


def an_event(n: int) -> Event:
    return Event(at=at(n), actor="drorch", kind="execution.completed", message=f"event {n}")


def feed(store: DynamoStore, after: int) -> tuple[list[str], int]:
    with store.read() as uow:
        entries, end = uow.notifications.timeline_after(after, ["execution.completed"], 50)
    return [e.event.message for e in entries], end


def test_the_feed_skips_no_event_that_lands_after_a_later_one(
    store: DynamoStore, rival: DynamoStore
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.add(execution([("a", 1)], first_server=2).model_copy(update={"id": "ex-2"}))
    slow = Unit(store.table, write=True)  # numbers its event first, commits last
    DynamoUnitOfWork(slow, store.cursors).executions.append_events("ex-1", [an_event(1)])
    with rival.transaction() as uow:
        uow.executions.append_events("ex-2", [an_event(2)])
    assert feed(store, 0) == ([], 0)  # position 1 may still land: the feed waits for it
    slow.commit()
    assert feed(store, 0) == (["event 1", "event 2"], 2)


def test_a_position_whose_unit_rolled_back_holds_the_feed_only_for_the_grace(
    store: DynamoStore, clock: Clock
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
    with pytest.raises(RuntimeError), store.transaction() as uow:
        uow.executions.append_events("ex-1", [an_event(1)])
        raise RuntimeError("the unit rolls back; its position stays a gap")
    with store.transaction() as uow:
        uow.executions.append_events("ex-1", [an_event(2)])
    assert feed(store, 0) == ([], 0)
    clock.now += FEED_GRACE_SECONDS + 1
    assert feed(store, 0) == (["event 2"], 2)
