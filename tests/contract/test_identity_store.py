"""The store contract for users, tokens, sign-in counters and the append-only audit log."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.adapters.storage.dynamodb.common import pad
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.audit import AuditRecord, Outcome
from drorch.domain.identity import Role
from drorch.domain.users import ApiToken, RefreshToken, User
from drorch.errors import ConflictError, PreconditionFailedError
from drorch.ports.store import AuditQuery, Store

NOW = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def a_user(n: int, name: str | None = None, role: Role = Role.VIEWER) -> User:
    return User(
        id=f"u-{n:012x}",
        username=name or f"user{n}",
        display_name=f"User {n}",
        role=role,
        created_at=NOW,
        updated_at=NOW,
    )


def an_entry(n: int, **fields: object) -> AuditRecord:
    base: dict[str, object] = {
        "id": f"au-{n:012x}",
        "at": NOW + timedelta(minutes=n),
        "action": "group.create",
        "outcome": Outcome.SUCCESS,
        "principal": "u-1",
        "username": "alice",
    }
    return AuditRecord.model_validate({**base, **fields})


def test_users_round_trip_and_names_are_unique_ignoring_case(store: Store) -> None:
    user = a_user(1, "Alice", Role.ADMIN)
    with store.transaction() as uow:
        uow.users.add(user, "hash-1")
    with store.read() as uow:
        assert uow.users.get(user.id) == user
        assert uow.users.find_by_username("ALICE") == user
        assert uow.users.password_hash(user.id) == "hash-1"
        assert uow.users.count() == 1
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.users.add(a_user(2, "alice"), "hash-2")


def test_user_updates_check_the_version_and_passwords_change_apart(store: Store) -> None:
    user = a_user(1)
    with store.transaction() as uow:
        uow.users.add(user, "old")
        uow.users.update(
            user.model_copy(update={"version": 2, "enabled": False}), expected_version=1
        )
        uow.users.set_password_hash(user.id, "new")
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.users.update(user.model_copy(update={"version": 2}), expected_version=1)
    with store.read() as uow:
        assert uow.users.get(user.id).enabled is False  # type: ignore[union-attr]
        assert uow.users.password_hash(user.id) == "new"
        assert [u.id for u in uow.users.all()] == [user.id]


def refresh_token(n: int, family: str, user_id: str) -> RefreshToken:
    return RefreshToken(
        id=f"rt-{n}",
        family_id=family,
        user_id=user_id,
        issued_at=NOW,
        expires_at=NOW + timedelta(hours=12),
    )


def test_refresh_tokens_are_used_once_and_revoked_by_family(store: Store) -> None:
    user = a_user(1)
    with store.transaction() as uow:
        uow.users.add(user, "h")
        uow.tokens.add_refresh(refresh_token(1, "rt-1", user.id), "s1")
        uow.tokens.add_refresh(refresh_token(2, "rt-1", user.id), "s2")
        assert uow.tokens.mark_refresh_used("rt-1", NOW) is True
        assert uow.tokens.mark_refresh_used("rt-1", NOW) is False
    with store.read() as uow:
        token, secret_hash = uow.tokens.get_refresh("rt-1")  # type: ignore[misc]
        assert token.used_at == NOW and secret_hash == "s1"
        assert uow.tokens.family_active("rt-1", NOW) is True
        assert uow.tokens.family_active("rt-1", NOW + timedelta(hours=13)) is False
        assert uow.tokens.get_refresh("rt-9") is None
    with store.transaction() as uow:
        assert uow.tokens.revoke_family("rt-1", NOW) == 2
    with store.read() as uow:
        assert uow.tokens.family_active("rt-1", NOW) is False


def test_api_tokens_list_per_user_and_revoke_once(store: Store) -> None:
    alice, bob = a_user(1), a_user(2)
    tokens = [
        ApiToken(
            id=f"tk-{n}",
            user_id=owner.id,
            name=f"t{n}",
            role=Role.VIEWER,
            created_at=NOW + timedelta(seconds=n),
            expires_at=NOW + timedelta(days=90),
        )
        for n, owner in ((1, alice), (2, alice), (3, bob))
    ]
    with store.transaction() as uow:
        uow.users.add(alice, "h")
        uow.users.add(bob, "h")
        for token in tokens:
            uow.tokens.add_api_token(token, f"hash-{token.id}")
    with store.transaction() as uow:
        assert [t.id for t in uow.tokens.api_tokens(alice.id)] == ["tk-2", "tk-1"]
        assert [t.id for t in uow.tokens.api_tokens()] == ["tk-3", "tk-2", "tk-1"]
        assert uow.tokens.revoke_api_token("tk-1", NOW) is True
        assert uow.tokens.revoke_api_token("tk-1", NOW) is False
        assert uow.tokens.revoke_api_token("tk-9", NOW) is False
    with store.read() as uow:
        token, secret_hash = uow.tokens.get_api_token("tk-1")  # type: ignore[misc]
        assert token.revoked_at == NOW and not token.active(NOW)
        assert secret_hash == "hash-tk-1"


def test_sign_in_failures_lock_after_the_limit_within_the_window(store: Store) -> None:
    with store.transaction() as uow:
        for minute in range(4):
            at = NOW + timedelta(minutes=minute)
            assert (
                uow.sign_ins.record_failure("user:a", now=at, window=WINDOW, max_failures=5) is None
            )
        fifth = NOW + timedelta(minutes=4)
        until = uow.sign_ins.record_failure("user:a", now=fifth, window=WINDOW, max_failures=5)
        assert until == fifth + WINDOW
        assert uow.sign_ins.locked_until("user:a", fifth) == until
        assert uow.sign_ins.locked_until("user:a", until) is None
        assert uow.sign_ins.locked_until("user:b", fifth) is None
        uow.sign_ins.clear("user:a")
        assert uow.sign_ins.locked_until("user:a", fifth) is None


def test_failures_outside_the_window_start_a_new_count(store: Store) -> None:
    with store.transaction() as uow:
        for _ in range(4):
            uow.sign_ins.record_failure("client:x", now=NOW, window=WINDOW, max_failures=5)
        later = NOW + WINDOW + timedelta(seconds=1)
        assert (
            uow.sign_ins.record_failure("client:x", now=later, window=WINDOW, max_failures=5)
            is None
        )


def test_audit_pages_newest_first_with_filters(store: Store) -> None:
    with store.transaction() as uow:
        appended = [uow.audit.append(an_entry(n)) for n in range(5)]
        uow.audit.append(an_entry(5, action="plan.delete", target_type="plan", target_id="rp-1"))
        uow.audit.append(an_entry(6, username="bob", principal="u-2", outcome=Outcome.DENIED))
    assert [r.seq for r in appended] == sorted({r.seq for r in appended})
    with store.read() as uow:
        first = uow.audit.page(AuditQuery(limit=3))
        second = uow.audit.page(AuditQuery(limit=3, cursor=first.next_cursor))
        third = uow.audit.page(AuditQuery(limit=3, cursor=second.next_cursor))
        assert [r.id for r in first.items + second.items + third.items] == [
            an_entry(n).id for n in range(6, -1, -1)
        ]
        assert third.next_cursor is None
        assert [r.target_id for r in uow.audit.page(AuditQuery(action="plan.delete")).items] == [
            "rp-1"
        ]
        assert len(uow.audit.page(AuditQuery(principal="bob")).items) == 1
        assert len(uow.audit.page(AuditQuery(outcome="denied")).items) == 1
        window = AuditQuery(since=NOW + timedelta(minutes=2), until=NOW + timedelta(minutes=4))
        assert [r.id for r in uow.audit.page(window).items] == [an_entry(3).id, an_entry(2).id]


def test_audit_rows_cannot_be_edited_or_deleted(store: Store) -> None:
    with store.transaction() as uow:
        first = uow.audit.append(an_entry(1))
    assert not hasattr(store, "audit")
    with store.read() as uow:
        assert not {"update", "delete"} & set(dir(uow.audit))
    if isinstance(store, DynamoStore):
        # No triggers in DynamoDB: an audit item is only ever put where none exists.
        assert first.seq is not None
        with pytest.raises(ConflictError), store.transaction() as uow:
            uow.unit.put({"pk": "audit", "sk": pad(first.seq), "body": "{}"}, new=True)  # type: ignore[attr-defined]
    else:
        assert isinstance(store, SqliteStore)
        for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            with (
                pytest.raises(sqlite3.DatabaseError, match="append-only"),
                store.transaction() as uow,
            ):
                uow.conn.execute(sql)  # type: ignore[attr-defined]
    with store.read() as uow:
        assert [r.action for r in uow.audit.page(AuditQuery()).items] == ["group.create"]
