"""The verified-principal cache: reused while nothing changed, dropped the moment it does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drorch.adapters.identity.cache import PrincipalCache
from drorch.adapters.identity.local import ApiTokenVerifier, JwtSigner, LocalJwtVerifier
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import Principal, Role, Source
from drorch.domain.tokens import API_TOKEN_PREFIX, hash_secret, new_opaque
from drorch.domain.users import ApiToken, RefreshToken, User
from drorch.errors import UnauthenticatedError

NOW = datetime.now(UTC).replace(microsecond=0)  # PyJWT checks `exp` against the real clock
TTL = timedelta(seconds=30)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


class CountingStore(SqliteStore):
    """A real store that counts the read transactions a verification opens."""

    reads = 0

    def read(self):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().read()


@pytest.fixture
def store() -> Iterator[CountingStore]:
    s = CountingStore(":memory:")
    user = User(
        id="u-1",
        username="alice",
        display_name="Alice",
        role=Role.OPERATOR,
        created_at=NOW,
        updated_at=NOW,
    )
    session = RefreshToken(
        id="rt-1",
        family_id="rt-1",
        user_id="u-1",
        issued_at=NOW,
        expires_at=NOW + timedelta(hours=12),
    )
    with s.transaction() as uow:
        uow.users.add(user, "unused")
        uow.tokens.add_refresh(session, "unused")
    yield s
    s.close()


def jwt_verifier(store: SqliteStore, clock: Clock) -> tuple[LocalJwtVerifier, str]:
    signer = JwtSigner(lambda: b"k" * 32, lifetime=timedelta(minutes=15))
    cache = PrincipalCache(store.identity_epoch, ttl=TTL)
    token = signer.issue(subject="u-1", session_id="rt-1", now=NOW)
    return LocalJwtVerifier(signer, store, clock, cache), token


def set_user(store: SqliteStore, **changes: object) -> None:
    with store.transaction() as uow:
        user = uow.users.get("u-1")
        assert user is not None
        uow.users.update(user.model_copy(update=changes), expected_version=user.version)


def test_a_repeated_token_is_answered_without_reading_the_store(store: CountingStore) -> None:
    check, token = jwt_verifier(store, Clock())
    first = check.verify(token)
    reads = store.reads
    assert check.verify(token) == first and store.reads == reads
    assert first is not None and first.role == Role.OPERATOR


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"enabled": False}, "disabled"),
        ({"role": Role.VIEWER}, None),
    ],
)
def test_a_user_change_takes_effect_on_the_next_request(
    store: CountingStore, change: dict[str, object], refusal: str | None
) -> None:
    check, token = jwt_verifier(store, Clock())
    assert check.verify(token) is not None
    set_user(store, **change)
    if refusal:
        with pytest.raises(UnauthenticatedError, match=refusal):
            check.verify(token)
    else:
        principal = check.verify(token)
        assert principal is not None and principal.role == Role.VIEWER


def test_an_ended_session_is_refused_at_once(store: CountingStore) -> None:
    check, token = jwt_verifier(store, Clock())
    assert check.verify(token) is not None
    with store.transaction() as uow:
        uow.tokens.revoke_family("rt-1", NOW)
    with pytest.raises(UnauthenticatedError, match="session has ended"):
        check.verify(token)


def test_an_entry_lasts_no_longer_than_the_ttl(store: CountingStore) -> None:
    clock = Clock()
    check, token = jwt_verifier(store, clock)
    check.verify(token)
    reads = store.reads
    clock.now = NOW + TTL
    assert check.verify(token) is not None and store.reads == reads + 1


def test_a_revoked_api_token_is_refused_on_the_next_request(store: CountingStore) -> None:
    text, parts = new_opaque(API_TOKEN_PREFIX, "tk")
    record = ApiToken(
        id=parts.token_id,
        user_id="u-1",
        name="ci",
        role=Role.OPERATOR,
        created_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    with store.transaction() as uow:
        uow.tokens.add_api_token(record, hash_secret(parts.secret))
    clock = Clock()
    check = ApiTokenVerifier(store, clock, PrincipalCache(store.identity_epoch, ttl=TTL))
    assert check.verify(text) is not None
    reads = store.reads
    assert check.verify(text) is not None and store.reads == reads
    with pytest.raises(UnauthenticatedError):
        check.verify(text[:-2] + "xx")  # a different token is never served from the cache
    with store.transaction() as uow:
        uow.tokens.revoke_api_token(parts.token_id, NOW)
    with pytest.raises(UnauthenticatedError, match="revoked"):
        check.verify(text)


def test_an_api_token_entry_ends_with_the_token(store: CountingStore) -> None:
    text, parts = new_opaque(API_TOKEN_PREFIX, "tk")
    record = ApiToken(
        id=parts.token_id,
        user_id="u-1",
        name="ci",
        role=Role.OPERATOR,
        created_at=NOW,
        expires_at=NOW + timedelta(seconds=5),
    )
    with store.transaction() as uow:
        uow.tokens.add_api_token(record, hash_secret(parts.secret))
    clock = Clock()
    check = ApiTokenVerifier(store, clock, PrincipalCache(store.identity_epoch, ttl=TTL))
    assert check.verify(text) is not None
    clock.now = NOW + timedelta(seconds=5)
    with pytest.raises(UnauthenticatedError, match="expired"):
        check.verify(text)


def test_a_change_written_by_another_process_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "drorch.db"
    served = CountingStore(path)
    with served.transaction() as uow:
        uow.users.add(
            User(
                id="u-1",
                username="alice",
                display_name="Alice",
                role=Role.OPERATOR,
                created_at=NOW,
                updated_at=NOW,
            ),
            "unused",
        )
        uow.tokens.add_refresh(
            RefreshToken(
                id="rt-1",
                family_id="rt-1",
                user_id="u-1",
                issued_at=NOW,
                expires_at=NOW + timedelta(hours=12),
            ),
            "unused",
        )
    check, token = jwt_verifier(served, Clock())
    assert check.verify(token) is not None
    other = SqliteStore(path)  # e.g. `drorch users disable` on the data dir
    set_user(other, enabled=False)
    other.close()
    with pytest.raises(UnauthenticatedError, match="disabled"):
        check.verify(token)
    served.close()


def test_the_cache_holds_a_bounded_number_of_tokens() -> None:
    cache = PrincipalCache(lambda: 0, ttl=TTL, max_entries=2)
    who = Principal(
        subject="u", username="u", display_name="u", role=Role.VIEWER, source=Source.LOCAL
    )
    for token in ("a", "b", "c"):
        cache.put(token, who, epoch=0, expires_at=NOW + TTL, now=NOW)
    assert cache.lookup("a", NOW)[0] is None
    assert cache.lookup("c", NOW)[0] == who
