"""Local users, API tokens and sessions as the domain sees them, and the password policy."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import Field

from drorch.domain.common import FieldProblem, Model
from drorch.domain.identity import Principal, Role, Source

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$"
_USERNAME = re.compile(USERNAME_PATTERN)

Username = Annotated[str, Field(pattern=USERNAME_PATTERN, description="Sign-in name.")]


class User(Model):
    """A local user; the password hash is kept apart so a User is always safe to show."""

    id: str
    username: Username
    display_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    role: Role
    enabled: bool = True
    version: int = 1
    created_at: datetime
    updated_at: datetime
    last_sign_in_at: datetime | None = None


class ApiToken(Model):
    """An API token's record (its secret is stored hashed and shown only at creation)."""

    id: str
    user_id: str
    name: str = Field(min_length=1, max_length=100)
    role: Role
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoked_at is None and now < self.expires_at


class RefreshToken(Model):
    """One refresh token of a session family; each use replaces it by a new one."""

    id: str
    family_id: str
    user_id: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


def password_problems(password: str, username: str) -> list[FieldProblem]:
    """What is wrong with a password for this user (an empty list when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            FieldProblem("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(
            FieldProblem("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
        )
    if password.strip().lower() == username.strip().lower():
        problems.append(FieldProblem("password", "must not be the username"))
    return problems


def username_valid(username: str) -> bool:
    """Whether a sign-in name has the allowed shape."""
    return bool(_USERNAME.match(username))


def principal_of(user: User, session_id: str | None = None) -> Principal:
    """The principal of a local user signed in with a password."""
    return Principal(
        subject=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        source=Source.LOCAL,
        session_id=session_id,
    )
