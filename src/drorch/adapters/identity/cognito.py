"""Cognito user-pool JWTs (access or id tokens) checked against the pool's JWKS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jwt

from drorch.adapters.clock import SystemClock
from drorch.config import DEFAULT_COGNITO_GROUPS, Settings
from drorch.domain.identity import Principal, Role, Source, strongest
from drorch.errors import (
    ForbiddenError,
    IdentityUnavailableError,
    UnauthenticatedError,
    ValidationError,
)
from drorch.ports.clock import Clock

# One Cognito group per role (drorch-admin, drorch-plan-manager, ...), as Settings defaults.
DEFAULT_GROUP_ROLES: Mapping[str, Role] = DEFAULT_COGNITO_GROUPS
ALGORITHM = "RS256"
JWKS_REFETCH_COOLDOWN_SECONDS = 30.0
REQUIRED_CLAIMS = ["iss", "sub", "exp", "token_use"]


class CognitoVerifier:
    """A TokenVerifier for one Cognito user pool and one app client."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks_url: str | None = None,
        group_roles: Mapping[str, Role] | None = None,
        clock: Clock | None = None,
        leeway_seconds: float = 30.0,
        jwks_timeout: float = 5.0,
        jwks_cache_seconds: int = 3600,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._group_roles = dict(DEFAULT_GROUP_ROLES if group_roles is None else group_roles)
        self._clock: Clock = clock or SystemClock()
        self._leeway = leeway_seconds
        # The key set is cached; an unknown kid refetches it (key rotation), but at most once
        # per cooldown, so tokens with made-up kids cannot make every request fetch the JWKS.
        self._jwks = jwt.PyJWKClient(
            jwks_url or f"{self._issuer}/.well-known/jwks.json",
            cache_keys=True,
            lifespan=jwks_cache_seconds,
            timeout=jwks_timeout,
            cooldown_duration=JWKS_REFETCH_COOLDOWN_SECONDS,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> CognitoVerifier:
        """The verifier of DRORCH_COGNITO_ISSUER, _CLIENT_ID, _JWKS_URL and _GROUP_ROLES."""
        if not (settings.cognito_issuer and settings.cognito_client_id):
            missing = [
                f for f in ("cognito_issuer", "cognito_client_id") if not getattr(settings, f)
            ]
            raise ValidationError(
                "Cognito needs DRORCH_COGNITO_ISSUER and DRORCH_COGNITO_CLIENT_ID",
                [{"path": f, "message": "required for Cognito"} for f in missing],
            )
        return cls(
            issuer=settings.cognito_issuer,
            client_id=settings.cognito_client_id,
            jwks_url=settings.cognito_jwks_url,
            group_roles=settings.cognito_group_roles,
        )

    def verify(self, token: str) -> Principal | None:
        """The token's Principal; None when it is not an RS256 token with a key id."""
        if not looks_like_cognito(token):
            return None
        claims = self._claims(token)
        self._check_times(claims)
        self._check_client(claims)
        return self._principal(claims)

    def _claims(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature and issuer are good."""
        key = self._signing_key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                issuer=self._issuer,
                # aud is checked by token_use below; times by our clock, so tests can move it.
                options={
                    "verify_aud": False,
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": REQUIRED_CLAIMS,
                },
            )
        except jwt.InvalidIssuerError:
            raise UnauthenticatedError("Cognito token from another issuer") from None
        except jwt.InvalidSignatureError:
            raise UnauthenticatedError("Cognito token with a bad signature") from None
        except jwt.PyJWTError as exc:
            raise UnauthenticatedError(f"invalid Cognito token: {exc}") from None
        return claims

    def _signing_key(self, token: str) -> Any:
        """The JWKS key named by the token's kid."""
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise IdentityUnavailableError("Cognito JWKS could not be fetched") from None
        except jwt.PyJWKClientError:
            raise UnauthenticatedError("Cognito token signed by an unknown key") from None

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        """Refuse an expired token, or one issued in the future."""
        now = self._clock.now().timestamp()
        if _number(claims, "exp") + self._leeway <= now:
            raise UnauthenticatedError("Cognito token expired")
        if "iat" in claims and _number(claims, "iat") - self._leeway > now:
            raise UnauthenticatedError("Cognito token issued in the future")

    def _check_client(self, claims: Mapping[str, Any]) -> None:
        """An access token names its app client in client_id, an id token in aud."""
        use = claims["token_use"]
        if use == "access":
            clients = [claims.get("client_id")]
        elif use == "id":
            aud = claims.get("aud")
            clients = aud if isinstance(aud, list) else [aud]
        else:
            raise UnauthenticatedError(f"Cognito token_use {use!r} is neither access nor id")
        if self._client_id not in clients:
            raise UnauthenticatedError("Cognito token for another app client")

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        """Who the claims name, with the strongest role their groups map to."""
        sub = str(claims["sub"])
        username = str(claims.get("cognito:username") or claims.get("username") or sub)
        display = str(claims.get("name") or claims.get("email") or username)
        return Principal(
            subject=sub,
            username=username,
            display_name=display,
            role=self._role(claims, username),
            source=Source.COGNITO,
        )

    def _role(self, claims: Mapping[str, Any], username: str) -> Role:
        """The strongest role of the user's mapped groups; none mapped is a 403."""
        groups = claims.get("cognito:groups") or []
        if not isinstance(groups, list):
            raise UnauthenticatedError("Cognito token with malformed cognito:groups")
        role = strongest([self._group_roles[g] for g in groups if g in self._group_roles])
        if role is None:
            expected = ", ".join(sorted(self._group_roles))
            raise ForbiddenError(
                f"Cognito user {username} is in no group mapped to a drorch role "
                f"(mapped groups: {expected})"
            )
        return role


def looks_like_cognito(token: str) -> bool:
    """Whether the token is a JWT whose header says RS256 and names a key id."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return False
    return header.get("alg") == ALGORITHM and isinstance(header.get("kid"), str)


def _number(claims: Mapping[str, Any], name: str) -> float:
    """A numeric date claim, or a 401 when it is not a number."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnauthenticatedError(f"Cognito token with a non-numeric {name}")
    return float(value)
