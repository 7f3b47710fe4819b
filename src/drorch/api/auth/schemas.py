"""Sign-in, session and API-token JSON shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from drorch.domain.identity import Permission, Principal, Role
from drorch.domain.users import ApiToken, User
from drorch.services.auth import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS, Session


class MeRead(BaseModel):
    """Who is signed in and everything their role allows."""

    subject: str
    username: str
    display_name: str
    email: str | None = None
    role: Role
    source: str
    permissions: list[Permission]


class TokenRead(BaseModel):
    """The answer to a sign-in or a refresh."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid.")
    user: MeRead


class RefreshCreate(BaseModel):
    """Body of POST /auth/refresh."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=512)


class LogoutCreate(BaseModel):
    """Body of POST /auth/logout (optional): also end the session of this refresh token."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(default=None, max_length=512)


class ApiTokenCreate(BaseModel):
    """Body of POST /auth/api-tokens."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    role: Role | None = Field(default=None, description="At most your own role (default).")
    expires_in_days: int = Field(default=DEFAULT_TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS)


class ApiTokenRead(BaseModel):
    """An API token's record; its secret is never shown again."""

    id: str
    user_id: str
    name: str
    role: Role
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class ApiTokenCreated(ApiTokenRead):
    """A new API token, with the text to send as `Authorization: Bearer` (shown once)."""

    token: str


def me_read(principal: Principal, user: User | None = None) -> MeRead:
    """The API shape of the signed-in principal."""
    return MeRead(
        subject=principal.subject,
        username=principal.username,
        display_name=principal.display_name,
        email=user.email if user else None,
        role=principal.role,
        source=principal.source.value,
        permissions=sorted(principal.permissions),
    )


def token_read(session: Session) -> TokenRead:
    """The API shape of a new session."""
    return TokenRead(
        access_token=session.access_token,
        expires_in=session.expires_in,
        refresh_token=session.refresh_token,
        refresh_expires_in=session.refresh_expires_in,
        user=me_read(session.principal, session.user),
    )


def api_token_read(token: ApiToken) -> ApiTokenRead:
    """The API shape of an API token's record."""
    return ApiTokenRead.model_validate(token.model_dump(exclude={"last_used_at"}))
