"""Local identity: argon2id password hashes, HS256 access JWTs and opaque API tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from drorch.adapters.identity.cache import PrincipalCache
from drorch.adapters.keyfile import load_or_create_key
from drorch.domain.identity import Principal, Role, Source, role_within
from drorch.domain.tokens import API_TOKEN_PREFIX, REFRESH_PREFIX, parse_opaque, secret_matches
from drorch.domain.users import principal_of
from drorch.errors import UnauthenticatedError
from drorch.ports.store import Store

ISSUER = "drorch"
AUDIENCE = "drorch-api"
ALGORITHM = "HS256"
KEY_FILE = "jwt.key"


class Argon2Passwords:
    """PasswordHasher with argon2id at the library's recommended cost."""

    def __init__(self) -> None:
        self._hasher = PasswordHasher()

    @cached_property
    def dummy_hash(self) -> str:
        """Checked when a username is unknown, so a miss costs as long as a bad password."""
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        """An argon2id hash of a password."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches the hash (False for a malformed hash too)."""
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def signing_key(secret: str | None, data_dir: Path) -> bytes:
    """The JWT key: the configured secret, else `<data_dir>/jwt.key`, created 0600 once."""
    if secret:
        return secret.encode()
    return load_or_create_key(data_dir / KEY_FILE)


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says."""

    subject: str
    session_id: str
    token_id: str
    expires_at: datetime


class JwtSigner:
    """Issues and checks the HS256 access tokens of local sessions."""

    def __init__(self, key: Callable[[], bytes], *, lifetime: timedelta) -> None:
        self._load_key = key
        self.lifetime = lifetime

    @cached_property
    def _key(self) -> bytes:
        # Read (or created) on first use, so a process that never signs writes no key file.
        return self._load_key()

    def issue(self, *, subject: str, session_id: str, now: datetime) -> str:
        """A signed access token for a session, valid for `lifetime`."""
        expires = now + self.lifetime
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject,
            "sid": session_id,
            "jti": secrets.token_hex(8),
            "iat": int(now.timestamp()),
            "exp": int(expires.timestamp()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM)

    def check(self, token: str) -> AccessClaims:
        """The claims of a valid token; UnauthenticatedError when bad, tampered or expired."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["iss", "aud", "sub", "sid", "jti", "iat", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise UnauthenticatedError("the access token has expired; sign in again") from exc
        except jwt.PyJWTError as exc:
            raise UnauthenticatedError("the access token is not valid") from exc
        return AccessClaims(
            subject=str(claims["sub"]),
            session_id=str(claims["sid"]),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts: a JWT of some issuer (ours or Cognito's)."""
    return token.count(".") == 2 and not token.startswith((API_TOKEN_PREFIX, REFRESH_PREFIX))


def is_local_jwt(token: str) -> bool:
    """A JWT whose header names no key id (Cognito's carry a `kid`)."""
    if not looks_like_jwt(token):
        return False
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return True  # ours to refuse: nobody else claims a malformed JWT
    return header.get("alg") == ALGORITHM and "kid" not in header


# No cache: every request is checked in full.
NO_CACHE = PrincipalCache(lambda: 0, ttl=timedelta(0))


class LocalJwtVerifier:
    """TokenVerifier for local access tokens; the user and its role come from the store."""

    def __init__(
        self,
        signer: JwtSigner,
        store: Store,
        now: Callable[[], datetime],
        cache: PrincipalCache = NO_CACHE,
    ) -> None:
        self._signer = signer
        self._store = store
        self._now = now
        self._cache = cache

    def verify(self, token: str) -> Principal | None:
        """The principal of a valid local access token; None for tokens of other kinds."""
        now = self._now()
        # A hit is a token this verifier accepted, unchanged since: no kind check needed.
        cached, epoch = self._cache.lookup(token, now)
        if cached is not None:
            return cached
        if not is_local_jwt(token):
            return None
        principal, expires_at = self._check(token)
        self._cache.put(token, principal, epoch=epoch, expires_at=expires_at, now=now)
        return principal

    def _check(self, token: str) -> tuple[Principal, datetime]:
        """The principal of a local JWT and when the token expires; raises when refused."""
        claims = self._signer.check(token)
        with self._store.read() as uow:
            user = uow.users.get(claims.subject)
            live = uow.tokens.family_active(claims.session_id, self._now())
        if user is None or not user.enabled:
            raise UnauthenticatedError("the user is unknown or disabled")
        if not live:
            raise UnauthenticatedError("the session has ended; sign in again")
        return principal_of(user, claims.session_id), claims.expires_at


class ApiTokenVerifier:
    """TokenVerifier for `drt_<id>.<secret>` API tokens; the role is the lower of token and user."""

    def __init__(
        self, store: Store, now: Callable[[], datetime], cache: PrincipalCache = NO_CACHE
    ) -> None:
        self._store = store
        self._now = now
        self._cache = cache

    def verify(self, token: str) -> Principal | None:
        """The principal of a live API token; None for tokens of other kinds."""
        parts = parse_opaque(token, API_TOKEN_PREFIX)
        if parts is None:
            return None
        now = self._now()
        cached, epoch = self._cache.lookup(token, now)
        if cached is not None:
            return cached
        principal, expires_at = self._check(parts.token_id, parts.secret, now)
        self._cache.put(token, principal, epoch=epoch, expires_at=expires_at, now=now)
        return principal

    def _check(self, token_id: str, secret: str, now: datetime) -> tuple[Principal, datetime]:
        """The principal of an API token and its expiry; raises when refused."""
        with self._store.read() as uow:
            found = uow.tokens.get_api_token(token_id)
            user = uow.users.get(found[0].user_id) if found else None
        if found is None or not secret_matches(secret, found[1]):
            raise UnauthenticatedError("the API token is not valid")
        record = found[0]
        if not record.active(now):
            raise UnauthenticatedError("the API token is revoked or expired")
        if user is None or not user.enabled:
            raise UnauthenticatedError("the API token's user is unknown or disabled")
        principal = Principal(
            subject=user.id,
            username=user.username,
            display_name=user.display_name,
            role=_lower(record.role, user.role),
            source=Source.API_TOKEN,
            token_id=record.id,
        )
        return principal, record.expires_at


def _lower(token_role: Role, user_role: Role) -> Role:
    """The token's role unless the user has since been given less."""
    return token_role if role_within(token_role, user_role) else user_role
