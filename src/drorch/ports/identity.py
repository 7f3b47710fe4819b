"""The identity port: something that turns a bearer token into a Principal."""

from __future__ import annotations

from typing import Protocol

from drorch.domain.identity import Principal


class TokenVerifier(Protocol):
    """One identity source (local JWTs, API tokens, Cognito).

    `verify` answers None when the token is not of this source's kind, a Principal when it
    is valid, and raises `UnauthenticatedError` when it is of this kind but bad, expired or
    revoked.
    """

    def verify(self, token: str) -> Principal | None: ...
