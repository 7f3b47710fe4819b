"""Sign-in, refresh rotation with reuse detection, lockout and API-token rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from drorch.adapters.identity.local import Argon2Passwords, JwtSigner
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import Role
from drorch.errors import ForbiddenError, TooManyRequestsError, UnauthenticatedError
from drorch.ports.store import AuditQuery
from drorch.services import auth, users
from drorch.services.audit import CLI_AUDIT, AuditContext
from drorch.services.auth import LocalAuth, SignInPolicy

PASSWORD = "a fine long password"
FROM = AuditContext(principal=None, request_id="r-1", client="10.0.0.7")


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


@pytest.fixture
def local() -> LocalAuth:
    signer = JwtSigner(lambda: b"k" * 32, lifetime=timedelta(minutes=15))
    policy = SignInPolicy(max_failures=3, lock_window=timedelta(minutes=15))
    return LocalAuth(passwords=Argon2Passwords(), signer=signer, policy=policy)


def add(store: SqliteStore, local: LocalAuth, name: str, role: Role = Role.OPERATOR) -> None:
    users.create_user(
        store=store,
        passwords=local.passwords,
        audit=CLI_AUDIT,
        username=name,
        password=PASSWORD,
        role=role,
    )


def actions(store: SqliteStore) -> list[str]:
    with store.read() as uow:
        return [r.action for r in uow.audit.page(AuditQuery(limit=500)).items][::-1]


def test_refresh_rotates_and_a_replayed_token_revokes_the_session(
    store: SqliteStore, local: LocalAuth
) -> None:
    add(store, local, "alice")
    first = auth.sign_in(store=store, auth=local, audit=FROM, username="alice", password=PASSWORD)
    second = auth.refresh(store=store, auth=local, audit=FROM, refresh_token=first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.principal.session_id == first.principal.session_id
    with pytest.raises(UnauthenticatedError, match="already used"):
        auth.refresh(store=store, auth=local, audit=FROM, refresh_token=first.refresh_token)
    # The replay revoked the whole family, so the newest token is dead too.
    with pytest.raises(UnauthenticatedError, match="session has ended"):
        auth.refresh(store=store, auth=local, audit=FROM, refresh_token=second.refresh_token)
    assert actions(store)[-3:] == ["auth.sign_in", "auth.refresh", "auth.refresh_reused"]


def test_a_tampered_refresh_token_is_refused(store: SqliteStore, local: LocalAuth) -> None:
    add(store, local, "alice")
    session = auth.sign_in(store=store, auth=local, audit=FROM, username="alice", password=PASSWORD)
    for bad in (session.refresh_token[:-3] + "abc", "drr_rt-nothing.x", "nonsense"):
        with pytest.raises(UnauthenticatedError, match="not valid"):
            auth.refresh(store=store, auth=local, audit=FROM, refresh_token=bad)


def test_failures_lock_the_username_then_the_right_password_waits(
    store: SqliteStore, local: LocalAuth
) -> None:
    add(store, local, "bob")
    for _ in range(2):
        with pytest.raises(UnauthenticatedError):
            auth.sign_in(store=store, auth=local, audit=FROM, username="bob", password="wrong!")
    with pytest.raises(TooManyRequestsError) as locked:
        auth.sign_in(store=store, auth=local, audit=FROM, username="bob", password="wrong!")
    assert 0 < locked.value.extra["retry_after"] <= 15 * 60
    with pytest.raises(TooManyRequestsError):
        auth.sign_in(store=store, auth=local, audit=FROM, username="bob", password=PASSWORD)
    assert actions(store).count("auth.sign_in_failed") == 4


def test_failures_from_one_address_lock_it_for_every_username(
    store: SqliteStore, local: LocalAuth
) -> None:
    add(store, local, "carol")
    for name in ("x1", "x2", "x3"):
        with pytest.raises((UnauthenticatedError, TooManyRequestsError)):
            auth.sign_in(store=store, auth=local, audit=FROM, username=name, password="nope")
    with pytest.raises(TooManyRequestsError):
        auth.sign_in(store=store, auth=local, audit=FROM, username="carol", password=PASSWORD)
    elsewhere = AuditContext(principal=None, client="10.0.0.8")
    session = auth.sign_in(
        store=store, auth=local, audit=elsewhere, username="carol", password=PASSWORD
    )
    assert session.user.last_sign_in_at is not None


def test_api_tokens_stay_within_the_creators_role(store: SqliteStore, local: LocalAuth) -> None:
    add(store, local, "dave", Role.OPERATOR)
    me = auth.sign_in(store=store, auth=local, audit=FROM, username="dave", password=PASSWORD)
    with pytest.raises(ForbiddenError, match="more permissions"):
        auth.create_api_token(
            store=store, audit=FROM, principal=me.principal, name="t", role=Role.AUDITOR
        )
    made = auth.create_api_token(
        store=store, audit=FROM, principal=me.principal, name="t", role=Role.VIEWER
    )
    assert made.token.startswith(f"drt_{made.record.id}.")
    listed = auth.list_api_tokens(store=store, principal=me.principal)
    assert [t.id for t in listed] == [made.record.id]
    with pytest.raises(ForbiddenError, match="tokens:admin"):
        auth.list_api_tokens(store=store, principal=me.principal, all_users=True)
