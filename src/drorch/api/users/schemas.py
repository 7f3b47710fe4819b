"""User JSON shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from drorch.domain.identity import Role
from drorch.domain.users import MAX_PASSWORD_LENGTH, Username


class UserCreate(BaseModel):
    """Body of POST /users."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: Role
    password: str = Field(max_length=MAX_PASSWORD_LENGTH, description="At least 12 characters.")


class UserUpdate(BaseModel):
    """Body of PUT /users/{id}: the fields to change; `version` guards against lost edits."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: Role | None = None
    enabled: bool | None = None
    version: int | None = Field(default=None, ge=1)


class PasswordUpdate(BaseModel):
    """Body of POST /users/{id}/password."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=MAX_PASSWORD_LENGTH, description="At least 12 characters.")


class UserRead(BaseModel):
    """A user as the API shows it (never a password or its hash)."""

    id: str
    username: str
    display_name: str
    email: str | None = None
    role: Role
    enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None = None
