"""/api/v1/users: local users, managed by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.security import audited, require
from drorch.api.users.schemas import PasswordUpdate, UserCreate, UserRead, UserUpdate
from drorch.domain.identity import Permission, Principal
from drorch.domain.users import User
from drorch.services import users
from drorch.services.audit import AuditContext

router = APIRouter(prefix="/api/v1/users", tags=["users"])
P = Permission


@router.get("")
def list_users(store: StoreDep, _: Annotated[Principal, require(P.USERS_READ)]) -> list[UserRead]:
    """Every local user, by username."""
    return [_read(u) for u in users.list_users(store=store)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(
    body: UserCreate,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.USERS_WRITE, "user.create")],
) -> UserRead:
    """Create a user; the password must have 12 characters or more and not be the username."""
    assert container.auth is not None
    user = users.create_user(
        store=container.store,
        passwords=container.auth.passwords,
        audit=audit,
        **body.model_dump(),
    )
    response.headers["Location"] = f"{router.prefix}/{user.id}"
    return _read(user)


@router.get("/{user_id}")
def get_user(
    user_id: str, store: StoreDep, _: Annotated[Principal, require(P.USERS_READ)]
) -> UserRead:
    """One user by id (or username)."""
    return _read(users.get_user(store=store, user_id=user_id))


@router.put("/{user_id}")
def update_user(
    user_id: str,
    body: UserUpdate,
    store: StoreDep,
    audit: Annotated[AuditContext, audited(P.USERS_WRITE, "user.update")],
) -> UserRead:
    """Change a user's name, email, role or enabled flag; 409 if no enabled admin would remain."""
    changes = users.UserChanges(**body.model_dump(exclude={"version"}))
    user = users.update_user(
        store=store, audit=audit, user_id=user_id, changes=changes, expected_version=body.version
    )
    return _read(user)


@router.post("/{user_id}/password", status_code=status.HTTP_204_NO_CONTENT)
def reset_password(
    user_id: str,
    body: PasswordUpdate,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.USERS_WRITE, "user.reset_password")],
) -> Response:
    """Set a user's password."""
    assert container.auth is not None
    users.reset_password(
        store=container.store,
        passwords=container.auth.passwords,
        audit=audit,
        user_id=user_id,
        password=body.password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _read(user: User) -> UserRead:
    return UserRead.model_validate(user.model_dump())
