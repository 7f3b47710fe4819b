"""Request ids on every request, and audit records of refused or failed changes."""

from __future__ import annotations

import logging
import re
import secrets

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from drorch import logs
from drorch.api.security import route_action
from drorch.domain.audit import outcome_of
from drorch.domain.identity import Principal
from drorch.ports.store import Store
from drorch.services.audit import AuditContext, record_alone

REQUEST_ID = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger("drorch.api")


class RequestIds:
    """Keep the client's X-Request-ID when it is a short safe token, else make one; echo it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = (
            dict(scope.get("headers", [])).get(REQUEST_ID.lower().encode(), b"").decode("latin-1")
        )
        request_id = given if _SAFE_ID.match(given) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        logs.request_id.set(request_id)  # each request runs in a context of its own

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class AuditRefusals:
    """Record each refused or failed mutating request of a route that declares an action.

    The change itself was rolled back, so the record gets a transaction of its own.
    """

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in MUTATING:
            await self.app(scope, receive, send)
            return
        status = 500
        written = False

        async def watch(message: Message) -> None:
            # Recorded before the answer leaves: a client acting on a 403 must never find its
            # next request audited ahead of the refusal.
            nonlocal status, written
            if message["type"] == "http.response.start":
                status = message["status"]
                written = await self._audit(scope, status)
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if not written:  # no answer was started (the app raised)
                await self._audit(scope, status)

    async def _audit(self, scope: Scope, status: int) -> bool:
        """Write the record of a refused or failed request of an audited route; True if one."""
        action = route_action(scope.get("route"))
        if not (action and status >= 400):
            return False
        await anyio.to_thread.run_sync(self._write, scope, action, status)
        return True

    def _write(self, scope: Scope, action: str, status: int) -> None:
        state = scope.get("state", {})
        principal: Principal | None = state.get("principal")
        client = scope.get("client")
        audit = AuditContext(
            principal=principal,
            request_id=state.get("request_id"),
            client=client[0] if client else None,
        )
        try:
            record_alone(
                self.store,
                action,
                action.partition(".")[0],
                scope.get("path_params", {}).get(_id_param(scope)),
                audit=audit,
                outcome=outcome_of(status),
                status=status,
                detail={"method": scope["method"], "path": scope["path"]},
            )
        except Exception:  # an audit failure must not hide the response already sent
            log.exception("could not audit the refused %s %s", scope["method"], scope["path"])


def _id_param(scope: Scope) -> str:
    """The name of the path parameter naming the target (`group_id`, `execution_id`, ...)."""
    params = scope.get("path_params", {})
    return next((name for name in params if name.endswith("_id")), "")
