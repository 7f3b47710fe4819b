"""Wiring of sign-in: local users, the principal cache and Cognito tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drorch.config import Settings
from drorch.ports.identity import TokenVerifier
from drorch.ports.store import Store
from drorch.services.auth import LocalAuth

if TYPE_CHECKING:
    from drorch.bootstrap import Container


def wire_identity(settings: Settings, container: Container) -> None:
    """Local sign-in and the token verifiers, tried in order for every bearer token."""
    from datetime import timedelta

    from drorch.adapters.identity.local import (
        ApiTokenVerifier,
        Argon2Passwords,
        JwtSigner,
        LocalJwtVerifier,
        signing_key,
    )
    from drorch.domain.common import utcnow
    from drorch.services.auth import SignInPolicy

    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    signer = JwtSigner(
        lambda: signing_key(secret, settings.data_dir),
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    policy = SignInPolicy(
        refresh_lifetime=timedelta(hours=settings.refresh_token_hours),
        max_failures=settings.login_max_failures,
        lock_window=timedelta(minutes=settings.login_lock_minutes),
    )
    container.auth = LocalAuth(passwords=Argon2Passwords(), signer=signer, policy=policy)
    container.verifiers = [
        ApiTokenVerifier(container.store, utcnow, _principal_cache(settings, container.store)),
        LocalJwtVerifier(
            signer, container.store, utcnow, _principal_cache(settings, container.store)
        ),
    ]
    cognito = _cognito_verifier(settings)
    if cognito is not None:
        container.verifiers.append(cognito)


def _principal_cache(settings: Settings, store: Store) -> Any:
    """A cache of verified principals, checked against the store's identity epoch."""
    from datetime import timedelta

    from drorch.adapters.identity.cache import PrincipalCache
    from drorch.adapters.identity.local import NO_CACHE
    from drorch.ports.identity import IdentityEpoch

    if not isinstance(store, IdentityEpoch):  # a store that cannot say when identity changed
        return NO_CACHE
    return PrincipalCache(store.identity_epoch, ttl=timedelta(seconds=settings.auth_cache_seconds))


def _cognito_verifier(settings: Settings) -> TokenVerifier | None:
    """The Cognito verifier when a user pool (issuer and app client) is configured."""
    if not (settings.cognito_issuer and settings.cognito_client_id):
        return None
    from drorch.adapters.identity.cognito import CognitoVerifier

    return CognitoVerifier.from_settings(settings)
