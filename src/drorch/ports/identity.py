"""Identity ports: token verifiers, password hashing, access-token signing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from drorch.domain.identity import Principal


class TokenVerifier(Protocol):
    """One identity source (local JWTs, API tokens, Cognito).

    `verify` answers None when the token is not of this source's kind, a Principal when it
    is valid, and raises `UnauthenticatedError` when it is of this kind but bad, expired or
    revoked.
    """

    def verify(self, token: str) -> Principal | None: ...


class PasswordHasher(Protocol):
    """Slow, salted password hashes (argon2id locally)."""

    @property
    def dummy_hash(self) -> str: ...  # checked for an unknown username, to take as long

    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...


class AccessTokenSigner(Protocol):
    """Issues the short-lived access tokens of local sessions."""

    @property
    def lifetime(self) -> timedelta: ...
    def issue(self, *, subject: str, session_id: str, now: datetime) -> str: ...


@runtime_checkable
class IdentityEpoch(Protocol):
    """A store whose counter moves with every change that can narrow someone's access."""

    def identity_epoch(self) -> int: ...
