"""Races every store must decide the same way: leases, sign-in counters, refresh tokens.

Each race runs two threads that start together; SQLite serialises them with its writer
lock, DynamoDB with conditional writes. Either way the outcome is the serial one: no
caller gets a conflict for a race it is not party to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from drorch.domain.identity import Role
from drorch.domain.users import RefreshToken, User
from drorch.ports.store import Store
from tests.unit.engine.factory import T0, at, execution

NOW = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def together(*runs: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread, all released at once; their results in order."""
    start = threading.Barrier(len(runs))
    results: list[Any] = [None] * len(runs)

    def run(n: int) -> None:
        start.wait(timeout=10)
        try:
            results[n] = runs[n]()
        except Exception as exc:  # the assertion names it
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(runs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def a_user() -> User:
    return User(
        id="u-1",
        username="alice",
        display_name="Alice",
        role=Role.OPERATOR,
        created_at=NOW,
        updated_at=NOW,
    )


def a_session(token_id: str = "rt-1") -> RefreshToken:
    return RefreshToken(
        id=token_id,
        family_id="rt-1",
        user_id="u-1",
        issued_at=NOW,
        expires_at=NOW + timedelta(hours=12),
    )


def test_two_workers_claiming_one_lease_at_once_are_told_yes_and_no(store: Store) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.schedule("ex-1", T0)

    def claim(owner: str) -> Callable[[], bool]:
        def run() -> bool:
            with store.transaction() as uow:
                return uow.executions.claim(
                    "ex-1", owner=owner, now=at(1), lease_until=at(1) + WINDOW
                )

        return run

    outcomes = together(claim("w1"), claim("w2"))
    assert sorted(outcomes) == [False, True]  # not a ConflictError for the loser
    winner = "w1" if outcomes[0] else "w2"
    with store.read() as uow:
        assert uow.executions.leases() == {"ex-1": winner}


def test_two_failed_sign_ins_at_once_both_count(store: Store) -> None:
    def fail() -> datetime | None:
        with store.transaction() as uow:
            return uow.sign_ins.record_failure("user:alice", now=NOW, window=WINDOW, max_failures=2)

    outcomes = together(fail, fail)
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted(outcomes, key=lambda o: o is not None) == [None, NOW + WINDOW]
    with store.read() as uow:
        assert uow.sign_ins.locked_until("user:alice", NOW) == NOW + WINDOW


def test_two_sign_ins_of_one_user_at_once_both_succeed(store: Store) -> None:
    user = a_user()
    with store.transaction() as uow:
        uow.users.add(user, "hash")

    def sign_in(minute: int) -> Callable[[], None]:
        def run() -> None:
            touched = user.model_copy(update={"last_sign_in_at": NOW + timedelta(minutes=minute)})
            with store.transaction() as uow:
                uow.users.update(touched, expected_version=user.version)

        return run

    assert together(sign_in(1), sign_in(2)) == [None, None]
    with store.read() as uow:
        stored = uow.users.get(user.id)
        assert uow.users.password_hash(user.id) == "hash"
    assert stored is not None and stored.version == user.version
    assert stored.last_sign_in_at in (NOW + timedelta(minutes=1), NOW + timedelta(minutes=2))


def test_two_refreshes_with_one_token_at_once_use_it_once(store: Store) -> None:
    with store.transaction() as uow:
        uow.users.add(a_user(), "hash")
        uow.tokens.add_refresh(a_session(), "secret")

    def use() -> bool:
        with store.transaction() as uow:
            return uow.tokens.mark_refresh_used("rt-1", NOW)

    assert sorted(together(use, use)) == [False, True]
