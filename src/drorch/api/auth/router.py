"""/api/v1/auth: sign-in, refresh, logout, who am I, API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from drorch.api.auth.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    LogoutCreate,
    MeRead,
    RefreshCreate,
    TokenRead,
    api_token_read,
    me_read,
    token_read,
)
from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.security import audit_context, audited, public, require
from drorch.bootstrap import Container
from drorch.domain.identity import Permission, Principal
from drorch.services import auth
from drorch.services.audit import AuditContext
from drorch.services.auth import LocalAuth

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
P = Permission
SIGN_IN_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong username or password, or a disabled user"},
    429: {"description": "Too many failed sign-ins; Retry-After says when to try again"},
}


@router.post("/token", dependencies=[public()], responses=SIGN_IN_RESPONSES)
def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    container: ContainerDep,
) -> TokenRead:
    """Sign in with a username and password (OAuth2 password form)."""
    session = auth.sign_in(
        store=container.store,
        auth=_auth(container),
        audit=audit_context(request, None),
        username=form.username,
        password=form.password,
    )
    return token_read(session)


@router.post("/refresh", dependencies=[public()], responses={401: {"description": "Invalid"}})
def refresh(body: RefreshCreate, request: Request, container: ContainerDep) -> TokenRead:
    """Swap a refresh token for a new access and refresh token (each is used once)."""
    session = auth.refresh(
        store=container.store,
        auth=_auth(container),
        audit=audit_context(request, None),
        refresh_token=body.refresh_token,
    )
    return token_read(session)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request,
    store: StoreDep,
    audit: Annotated[AuditContext, audited(P.SESSION, "auth.logout")],
    body: LogoutCreate | None = None,
) -> Response:
    """End this session (and the one of the given refresh token)."""
    assert audit.principal is not None
    auth.logout(
        store=store,
        audit=audit,
        principal=audit.principal,
        refresh_token=body.refresh_token if body else None,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
def me(store: StoreDep, principal: Annotated[Principal, require(P.SESSION)]) -> MeRead:
    """Who is signed in, their role and its permissions."""
    with store.read() as uow:
        user = uow.users.get(principal.subject)
    return me_read(principal, user)


@router.get("/api-tokens")
def list_api_tokens(
    store: StoreDep,
    principal: Annotated[Principal, require(P.SESSION)],
    everyone: Annotated[bool, Query(alias="all", description="Everyone's (tokens:admin)")] = False,
) -> list[ApiTokenRead]:
    """Your API tokens; `all=true` lists everyone's (needs tokens:admin)."""
    tokens = auth.list_api_tokens(store=store, principal=principal, all_users=everyone)
    return [api_token_read(t) for t in tokens]


@router.post("/api-tokens", status_code=status.HTTP_201_CREATED)
def create_api_token(
    body: ApiTokenCreate,
    store: StoreDep,
    audit: Annotated[AuditContext, audited(P.SESSION, "api_token.create")],
) -> ApiTokenCreated:
    """Create an API token with at most your role; its text is shown only in this answer."""
    assert audit.principal is not None
    created = auth.create_api_token(
        store=store,
        audit=audit,
        principal=audit.principal,
        name=body.name,
        role=body.role,
        expires_in_days=body.expires_in_days,
    )
    return ApiTokenCreated(**api_token_read(created.record).model_dump(), token=created.token)


@router.delete("/api-tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_token(
    token_id: str,
    store: StoreDep,
    audit: Annotated[AuditContext, audited(P.SESSION, "api_token.revoke")],
) -> Response:
    """Revoke an API token (yours, or anyone's with tokens:admin)."""
    assert audit.principal is not None
    auth.revoke_api_token(store=store, audit=audit, principal=audit.principal, token_id=token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _auth(container: Container) -> LocalAuth:
    assert container.auth is not None  # bootstrap always wires local sign-in
    return container.auth
