"""Local user use cases: create, list, change, disable, reset a password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drorch.domain.common import FieldProblem, new_id, utcnow
from drorch.domain.identity import Role
from drorch.domain.users import User, password_problems, username_valid
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.identity import PasswordHasher
from drorch.ports.store import Store, UnitOfWork
from drorch.services.audit import AuditContext, record
from drorch.services.problems import raise_if_problems

TARGET = "user"


@dataclass(frozen=True)
class UserChanges:
    """Fields to change on a user; None leaves a field as it is."""

    display_name: str | None = None
    email: str | None = None
    role: Role | None = None
    enabled: bool | None = None

    def fields(self) -> dict[str, Any]:
        """The fields that change."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


def create_user(
    *,
    store: Store,
    passwords: PasswordHasher,
    audit: AuditContext,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    email: str | None = None,
) -> User:
    """Add a user after checking the username's shape and the password policy."""
    problems = [] if username_valid(username) else [FieldProblem("username", "invalid name")]
    raise_if_problems([*problems, *password_problems(password, username)], "the user")
    now = utcnow()
    user = User(
        id=new_id("u"),
        username=username,
        display_name=display_name or username,
        email=email,
        role=role,
        created_at=now,
        updated_at=now,
    )
    password_hash = passwords.hash(password)  # slow on purpose: outside the write lock
    with store.transaction() as uow:
        uow.users.add(user, password_hash)
        record(uow, "user.create", TARGET, user.id, audit=audit, detail=_shown(user))
    return user


def list_users(*, store: Store) -> list[User]:
    """Every user, by username."""
    with store.read() as uow:
        return uow.users.all()


def get_user(*, store: Store, user_id: str) -> User:
    """One user by id or username."""
    with store.read() as uow:
        return _require(uow, user_id)


def has_users(*, store: Store) -> bool:
    """Whether any user exists (a fresh server has none)."""
    with store.read() as uow:
        return uow.users.count() > 0


def update_user(
    *,
    store: Store,
    audit: AuditContext,
    user_id: str,
    changes: UserChanges,
    expected_version: int | None = None,
) -> User:
    """Change a user; refuses to leave no enabled admin behind."""
    with store.transaction() as uow:
        current = _require(uow, user_id)
        version = current.version if expected_version is None else expected_version
        user = current.model_copy(
            update={**changes.fields(), "version": version + 1, "updated_at": utcnow()}
        )
        User.model_validate(user.model_dump())  # the changed fields obey the model's rules
        uow.users.update(user, expected_version=version)
        if _is_admin(current) and not _is_admin(user):
            _keep_an_admin(uow)
        record(
            uow, _action(current, user), TARGET, user.id, audit=audit, detail=_diff(current, user)
        )
    return user


def reset_password(
    *, store: Store, passwords: PasswordHasher, audit: AuditContext, user_id: str, password: str
) -> User:
    """Set a new password for a user."""
    user = get_user(store=store, user_id=user_id)
    raise_if_problems(password_problems(password, user.username), "the password")
    password_hash = passwords.hash(password)
    with store.transaction() as uow:
        uow.users.set_password_hash(user.id, password_hash)
        record(uow, "user.reset_password", TARGET, user.id, audit=audit)
    return user


def _require(uow: UnitOfWork, user_id: str) -> User:
    user = uow.users.get(user_id) or uow.users.find_by_username(user_id)
    if user is None:
        raise NotFoundError(f"user {user_id} does not exist")
    return user


def _is_admin(user: User) -> bool:
    return user.enabled and user.role == Role.ADMIN


def _keep_an_admin(uow: UnitOfWork) -> None:
    # Without an enabled admin nobody could manage users again except on the data dir.
    if not any(_is_admin(u) for u in uow.users.all()):
        raise ConflictError(
            "this change would leave no enabled admin; make someone else admin first",
            conflicts=[{"field": "role", "value": "admin"}],
        )


def _action(before: User, after: User) -> str:
    """The audit action naming what changed."""
    changed = set(_diff(before, after))
    if changed == {"enabled"}:
        return "user.disable" if not after.enabled else "user.enable"
    if changed == {"role"}:
        return "user.set_role"
    return "user.update"


def _diff(before: User, after: User) -> dict[str, Any]:
    keys = ("display_name", "email", "role", "enabled")
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {k: {"from": old[k], "to": new[k]} for k in keys if old[k] != new[k]}


def _shown(user: User) -> dict[str, Any]:
    return user.model_dump(mode="json", include={"username", "role", "display_name", "email"})
