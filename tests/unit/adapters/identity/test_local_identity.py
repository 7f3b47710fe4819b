"""Local access tokens, API tokens and password hashes, checked against a real store."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from drorch.adapters.identity.local import (
    ApiTokenVerifier,
    Argon2Passwords,
    JwtSigner,
    LocalJwtVerifier,
    signing_key,
)
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.identity import Role, Source
from drorch.domain.tokens import API_TOKEN_PREFIX, hash_secret, new_opaque
from drorch.domain.users import ApiToken, RefreshToken, User
from drorch.errors import UnauthenticatedError

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    user = User(
        id="u-1",
        username="alice",
        display_name="Alice",
        role=Role.OPERATOR,
        created_at=NOW,
        updated_at=NOW,
    )
    session = RefreshToken(
        id="rt-1", family_id="rt-1", user_id="u-1", issued_at=NOW, expires_at=NOW + LIFETIME * 48
    )
    with s.transaction() as uow:
        uow.users.add(user, "unused")
        uow.tokens.add_refresh(session, "unused")
    yield s
    s.close()


def signer(key: bytes = b"k" * 32) -> JwtSigner:
    return JwtSigner(lambda: key, lifetime=LIFETIME)


def verifier(store: SqliteStore, key: bytes = b"k" * 32, at: datetime = NOW) -> LocalJwtVerifier:
    return LocalJwtVerifier(signer(key), store, lambda: at)


def test_a_fresh_token_names_the_user_with_the_role_from_the_store(store: SqliteStore) -> None:
    token = signer().issue(subject="u-1", session_id="rt-1", now=datetime.now(UTC))
    principal = verifier(store).verify(token)
    assert principal is not None
    assert (principal.username, principal.role, principal.source) == (
        "alice",
        Role.OPERATOR,
        Source.LOCAL,
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"iss", "aud", "sub", "sid", "jti", "iat", "exp"}
    assert claims["exp"] - claims["iat"] == LIFETIME.total_seconds()


def test_expired_tampered_and_foreign_tokens_are_refused(store: SqliteStore) -> None:
    expired = signer().issue(subject="u-1", session_id="rt-1", now=NOW - timedelta(hours=1))
    with pytest.raises(UnauthenticatedError, match="expired"):
        verifier(store).verify(expired)
    good = signer().issue(subject="u-1", session_id="rt-1", now=datetime.now(UTC))
    header, body, signature = good.split(".")
    forged_body = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(body).replace(b'"u-1"', b'"u-2"')
    ).decode()
    with pytest.raises(UnauthenticatedError, match="not valid"):
        verifier(store).verify(f"{header}.{forged_body}.{signature}")
    with pytest.raises(UnauthenticatedError, match="not valid"):
        verifier(store, key=b"x" * 32).verify(good)


def test_a_token_of_an_ended_session_or_disabled_user_is_refused(store: SqliteStore) -> None:
    token = signer().issue(subject="u-1", session_id="rt-1", now=datetime.now(UTC))
    with store.transaction() as uow:
        uow.tokens.revoke_family("rt-1", NOW)
    with pytest.raises(UnauthenticatedError, match="session has ended"):
        verifier(store).verify(token)


def test_other_kinds_of_token_are_left_to_other_verifiers(store: SqliteStore) -> None:
    assert verifier(store).verify("drt_tk-1.secret") is None
    kid = jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "cognito-key"})
    assert verifier(store).verify(kid) is None
    assert ApiTokenVerifier(store, lambda: NOW).verify("eyJ.a.b") is None


def test_api_tokens_are_capped_by_the_user_and_refused_when_revoked_or_expired(
    store: SqliteStore,
) -> None:
    text, parts = new_opaque(API_TOKEN_PREFIX, "tk")
    record = ApiToken(
        id=parts.token_id,
        user_id="u-1",
        name="ci",
        role=Role.ADMIN,  # more than the user has since been given
        created_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    with store.transaction() as uow:
        uow.tokens.add_api_token(record, hash_secret(parts.secret))
    check = ApiTokenVerifier(store, lambda: NOW)
    principal = check.verify(text)
    assert principal is not None and principal.role == Role.OPERATOR
    assert principal.token_id == parts.token_id and principal.source == Source.API_TOKEN
    with pytest.raises(UnauthenticatedError):
        check.verify(text[:-2] + "xx")
    with pytest.raises(UnauthenticatedError, match="revoked or expired"):
        ApiTokenVerifier(store, lambda: NOW + timedelta(days=2)).verify(text)
    with store.transaction() as uow:
        uow.tokens.revoke_api_token(parts.token_id, NOW)
    with pytest.raises(UnauthenticatedError, match="revoked or expired"):
        check.verify(text)


def test_the_signing_key_is_made_once_and_private(tmp_path: Path) -> None:
    key = signing_key(None, tmp_path / "data")
    path = tmp_path / "data" / "jwt.key"
    assert len(key) == 32 and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert signing_key(None, tmp_path / "data") == key
    assert signing_key("configured", tmp_path / "other") == b"configured"
    assert not (tmp_path / "other").exists()


def test_password_hashes_are_argon2id_and_salted() -> None:
    passwords = Argon2Passwords()
    first, second = passwords.hash("a long password"), passwords.hash("a long password")
    assert first.startswith("$argon2id$") and first != second
    assert passwords.verify(first, "a long password")
    assert not passwords.verify(first, "a long passworD")
    assert not passwords.verify("not a hash", "a long password")
