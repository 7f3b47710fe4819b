"""The API's resource routers, named by module: included when the app is built, or lazily.

Importing a router module defines its routes, and FastAPI analyses each route (its
dependencies, parameters and response model, with their pydantic schemas) as it is
defined: most of the cost of building the app. `drorch serve` includes them all at once.
The API Lambda answers one request per cold start, so it includes them lazily: each
router stands in the app's routes as a `DeferredRouter`, which imports and includes the
real one, in its place, on the first request under its paths; the OpenAPI document
loads them all first. Answers do not change, only when the work is done.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from drorch.api import security


@dataclass(frozen=True)
class RouterRef:
    """A router by module: its prefix (as the router declares it) and the paths it serves."""

    module: str
    prefix: str
    # Where its routes live, when the prefix alone does not say (none, or a broad one).
    paths: tuple[str, ...] = ()

    def served(self) -> tuple[str, ...]:
        """The path roots of every route of the router."""
        return self.paths or (self.prefix,)

    def serves(self, path: str) -> bool:
        """Whether a request for `path` could reach one of the router's routes."""
        return any(path == root or path.startswith(root + "/") for root in self.served())

    def load(self) -> APIRouter:
        """Import the router's module: its routes are defined (and analysed) now."""
        router: APIRouter = importlib.import_module(self.module).router
        return router


V1 = "/api/v1"
# In the order they are included (first match wins): reports before executions, as
# /executions/export is not an execution id.
ROUTERS = (
    RouterRef("drorch.api.auth.router", f"{V1}/auth"),
    RouterRef("drorch.api.users.router", f"{V1}/users"),
    RouterRef("drorch.api.audit.router", f"{V1}/audit"),
    RouterRef("drorch.api.accounts.router", f"{V1}/accounts"),
    RouterRef("drorch.api.source_servers.router", f"{V1}/source-servers"),
    RouterRef("drorch.api.protection_groups.router", f"{V1}/protection-groups"),
    RouterRef("drorch.api.recovery_plans.router", f"{V1}/recovery-plans"),
    RouterRef("drorch.api.reports.router", f"{V1}/executions"),
    RouterRef("drorch.api.executions.router", f"{V1}/executions"),
    RouterRef("drorch.api.executions.approvals", f"{V1}/executions"),
    RouterRef("drorch.api.action_types.router", f"{V1}/action-types"),
    RouterRef("drorch.api.doctor.router", f"{V1}/doctor"),
    RouterRef(
        "drorch.api.notifications.router",
        "",
        (f"{V1}/notification-channels", f"{V1}/notification-subscriptions", f"{V1}/notifications"),
    ),
    RouterRef("drorch.api.readiness.router", V1, (f"{V1}/readiness", f"{V1}/recovery-plans")),
    RouterRef("drorch.api.schedules.router", f"{V1}/schedules"),
    RouterRef("drorch.api.metrics.router", "", ("/metrics",)),
)


def include(app: FastAPI, router: APIRouter) -> BaseRoute:
    """Mark the router's routes with their permissions and include it; its entry in the app."""
    security.annotate(router)
    app.include_router(router)
    return app.router.routes[-1]


def include_routers(app: FastAPI, refs: tuple[RouterRef, ...], *, lazy: bool = False) -> None:
    """Include every router now, or (lazy) a stand-in for each that includes it when asked."""
    for ref in refs:
        if lazy:
            app.router.routes.append(DeferredRouter(app, ref))
        else:
            include(app, ref.load())


def loaded(route: BaseRoute) -> BaseRoute:
    """The route itself, or the router a stand-in includes (imported now if it was not)."""
    return route.load() if isinstance(route, DeferredRouter) else route


class DeferredRouter(BaseRoute):
    """Stands in the app's routes for a router until a request under its paths needs it."""

    def __init__(self, app: FastAPI, ref: RouterRef) -> None:
        self._app = app  # not `app`: on a route that names its ASGI app
        self.ref = ref
        self.path = ref.prefix  # what the route order ranks it by, as the included router
        self.included: BaseRoute | None = None
        self._lock = threading.Lock()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """No match outside the router's paths (nothing imported); else the router's answer."""
        if self.included is None and not self._concerns(scope):
            return Match.NONE, {}
        return self.load().matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handled by the included router (matched a moment ago)."""
        await self.load().handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        """A reverse lookup needs the router's route names: load it."""
        return self.load().url_path_for(name, **path_params)

    def load(self) -> BaseRoute:
        """Import and include the router, in this stand-in's place among the app's routes."""
        with self._lock:
            if self.included is None:
                self.included = self._include()
            return self.included

    def _concerns(self, scope: Scope) -> bool:
        return scope["type"] in ("http", "websocket") and self.ref.serves(get_route_path(scope))

    def _include(self) -> BaseRoute:
        routes = self._app.router.routes
        entry = include(self._app, self.ref.load())
        routes.pop()  # appended last by include(): it goes where this stand-in stands
        for index, route in enumerate(routes):
            if route is self:
                routes[index] = entry
                break
        return entry
