"""The one dependency every route declares: who is calling, and may they do this."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from drorch import logcontext
from drorch.domain.identity import Permission, Principal
from drorch.errors import UnauthenticatedError
from drorch.ports.identity import TokenVerifier
from drorch.services.audit import AuditContext
from drorch.services.auth import demand

TOKEN_URL = "/api/v1/auth/token"
# Both schemes read the same Authorization header; declaring both lets /api/docs sign in
# with a password (OAuth2 password flow) or take a pasted API token (HTTP bearer). They are
# written into the OpenAPI document (document_security) rather than resolved as two more
# dependencies on every request: the header is read once, below.
SECURITY_SCHEMES: dict[str, Any] = {
    "password": {"type": "oauth2", "flows": {"password": {"scopes": {}, "tokenUrl": TOKEN_URL}}},
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT or drt_ token"},
}
OPERATION_SECURITY: list[dict[str, list[str]]] = [{"password": []}, {"bearer": []}]
PERMISSION_KEY = "x-drorch-permission"
ACTION_KEY = "x-drorch-action"
PUBLIC_KEY = "x-drorch-public"


class Requirement:
    """A route's declared permission (and audit action); resolves the caller's Principal."""

    def __init__(self, permission: Permission, action: str | None) -> None:
        self.permission = permission
        self.action = action

    async def __call__(self, request: Request) -> Principal:
        """The caller, after checking the bearer token and the role's permission."""
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            raise UnauthenticatedError("sign in first: send Authorization: Bearer <token>")
        principal = authenticate(request, token)
        request.state.principal = principal
        logcontext.principal.set(principal.username)
        demand(principal, self.permission)
        return principal


class Public:
    """Marks a route that needs no token (health, sign-in, refresh)."""

    async def __call__(self) -> None:
        """Nothing to check."""


def require(permission: Permission, *, action: str | None = None) -> Any:
    """The dependency of a route that needs `permission`; `action` names its audit records."""
    return Depends(Requirement(permission, action))


def public() -> Any:
    """The dependency of a route anyone may call."""
    return Depends(Public())


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme in any case), or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def document_security(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with the two sign-in schemes, required by every operation naming a permission."""
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and PERMISSION_KEY in operation:
                operation["security"] = OPERATION_SECURITY
    return spec


def authenticate(request: Request, token: str) -> Principal:
    """Ask each verifier in turn; the first that knows the token's kind decides."""
    verifiers: list[TokenVerifier] = request.app.state.container.verifiers
    for verifier in verifiers:
        principal = verifier.verify(token)
        if principal is not None:
            return principal
    raise UnauthenticatedError("the bearer token is not one this server issued")


def audit_context(
    request: Request, principal: Principal | None, comment: str | None = None
) -> AuditContext:
    """Who asks (the principal), the request's id, the client's address and a comment."""
    return AuditContext(
        principal=principal,
        request_id=getattr(request.state, "request_id", None),
        client=request.client.host if request.client else None,
        comment=comment,
    )


def audited(permission: Permission, action: str) -> Any:
    """Like `require`, but the route gets the AuditContext its service writes records with."""
    requirement = Requirement(permission, action)

    # A default, not Annotated: string annotations cannot name this closure's requirement.
    async def context(
        request: Request, principal: Principal = Depends(requirement)
    ) -> AuditContext:
        return audit_context(request, principal)

    return Depends(context)


def annotate(router: APIRouter) -> None:
    """Write each route's permission, action or public mark into its OpenAPI operation."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        found = _marks(route.dependant)
        extra = dict(route.openapi_extra or {})
        for mark in found:
            if isinstance(mark, Requirement):
                extra[PERMISSION_KEY] = mark.permission.value
                if mark.action:
                    extra[ACTION_KEY] = mark.action
            else:
                extra[PUBLIC_KEY] = True
        route.openapi_extra = extra or None


def route_action(route: Any) -> str | None:
    """The audit action a matched route declared, if any."""
    extra = getattr(route, "openapi_extra", None) or {}
    action = extra.get(ACTION_KEY)
    return str(action) if action else None


def _marks(dependant: Dependant) -> list[Requirement | Public]:
    found: list[Requirement | Public] = []
    for sub in dependant.dependencies:
        if isinstance(sub.call, Requirement | Public):
            found.append(sub.call)
        found.extend(_marks(sub))
    return found
