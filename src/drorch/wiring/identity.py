"""Wiring of sign-in: local users, the principal cache and Cognito tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from drorch.config import Settings
from drorch.ports.identity import AccessTokenSigner, PasswordHasher, TokenVerifier
from drorch.ports.store import Store
from drorch.services.auth import LocalAuth
from drorch.wiring.deferred import Deferred

if TYPE_CHECKING:
    from drorch.bootstrap import Container


def wire_identity(settings: Settings, container: Container) -> None:
    """Local sign-in and the token verifiers, tried in order for every bearer token.

    Their adapters (PyJWT, argon2, cryptography) are built on the first sign-in or bearer
    token (wiring/deferred.py): a cold start that answers no signed-in request skips them.
    """
    from datetime import timedelta

    from drorch.services.auth import SignInPolicy

    local = Deferred(lambda: _LocalIdentity(settings, container.store))
    policy = SignInPolicy(
        refresh_lifetime=timedelta(hours=settings.refresh_token_hours),
        max_failures=settings.login_max_failures,
        lock_window=timedelta(minutes=settings.login_lock_minutes),
    )
    container.auth = LocalAuth(
        passwords=cast(PasswordHasher, Deferred(lambda: local.passwords)),
        signer=cast(AccessTokenSigner, Deferred(lambda: local.signer)),
        policy=policy,
    )
    container.verifiers = [
        cast(TokenVerifier, Deferred(lambda: local.api_tokens)),
        cast(TokenVerifier, Deferred(lambda: local.access_tokens)),
    ]
    if settings.cognito_issuer and settings.cognito_client_id:
        container.verifiers.append(cast(TokenVerifier, Deferred(lambda: _cognito(settings))))


class _LocalIdentity:
    """Local sign-in's adapters: the password hasher, the token signer and two verifiers."""

    def __init__(self, settings: Settings, store: Store) -> None:
        from datetime import timedelta

        from drorch.adapters.identity.local import (
            ApiTokenVerifier,
            Argon2Passwords,
            JwtSigner,
            LocalJwtVerifier,
            signing_key,
        )
        from drorch.domain.common import utcnow

        secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
        self.signer = JwtSigner(
            lambda: signing_key(secret, settings.data_dir),
            lifetime=timedelta(minutes=settings.access_token_minutes),
        )
        self.passwords = Argon2Passwords()
        self.api_tokens = ApiTokenVerifier(store, utcnow, _principal_cache(settings, store))
        self.access_tokens = LocalJwtVerifier(
            self.signer, store, utcnow, _principal_cache(settings, store)
        )


def _principal_cache(settings: Settings, store: Store) -> Any:
    """A cache of verified principals, checked against the store's identity epoch."""
    from datetime import timedelta

    from drorch.adapters.identity.cache import PrincipalCache
    from drorch.adapters.identity.local import NO_CACHE
    from drorch.ports.identity import IdentityEpoch

    if not isinstance(store, IdentityEpoch):  # a store that cannot say when identity changed
        return NO_CACHE
    return PrincipalCache(store.identity_epoch, ttl=timedelta(seconds=settings.auth_cache_seconds))


def _cognito(settings: Settings) -> TokenVerifier:
    """The verifier of the configured user pool's tokens (issuer and app client)."""
    from drorch.adapters.identity.cognito import CognitoVerifier

    return CognitoVerifier.from_settings(settings)
