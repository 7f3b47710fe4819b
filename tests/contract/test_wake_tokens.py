"""The store keeps one Step Functions task token per execution, for the driver's wake-ups."""

from __future__ import annotations

import pytest

from drorch.ports.store import Store


def test_an_execution_without_a_stored_token_has_none(store: Store) -> None:
    with store.read() as uow:
        assert uow.executions.wake_token("ex-none") is None


def test_a_stored_token_is_read_back_replaced_and_cleared(store: Store) -> None:
    with store.transaction() as uow:
        uow.executions.set_wake_token("ex-1", "token-a")
        uow.executions.set_wake_token("ex-2", "token-b")
    with store.read() as uow:
        assert uow.executions.wake_token("ex-1") == "token-a"
    with store.transaction() as uow:
        uow.executions.set_wake_token("ex-1", "token-c")  # the next Sleep's token wins
    with store.read() as uow:
        assert uow.executions.wake_token("ex-1") == "token-c"
        assert uow.executions.wake_token("ex-2") == "token-b"
    with store.transaction() as uow:
        uow.executions.set_wake_token("ex-1", None)
        uow.executions.set_wake_token("ex-unknown", None)  # clearing nothing is no error
    with store.read() as uow:
        assert uow.executions.wake_token("ex-1") is None
        assert uow.executions.wake_token("ex-2") == "token-b"


def test_a_token_written_in_a_failed_transaction_is_not_kept(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as uow:
        uow.executions.set_wake_token("ex-1", "token-a")
        raise RuntimeError("abort")
    with store.read() as uow:
        assert uow.executions.wake_token("ex-1") is None


def test_a_long_token_is_kept_whole(store: Store) -> None:
    # Step Functions task tokens run to 1,024 characters.
    token = "A" * 1024
    with store.transaction() as uow:
        uow.executions.set_wake_token("ex-1", token)
    with store.read() as uow:
        assert uow.executions.wake_token("ex-1") == token
