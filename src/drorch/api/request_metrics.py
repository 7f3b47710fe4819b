"""ASGI middleware timing every request by route template, and the optional access log."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("drorch.access")
UNMATCHED = "unmatched"


class RequestMetrics:
    """Observe each HTTP request's latency under its route's path template, not its path.

    Raw paths would make one time series per id; unmatched paths share one label.
    """

    def __init__(self, app: ASGIApp, metrics: Any, access_log: bool = False) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            if self.metrics is not None:
                self.metrics.request(scope["method"], route, status, seconds)
            if self.access_log:
                _log(scope, route, status, seconds)


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/executions/{execution_id}`)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not path:
        return UNMATCHED
    return f"{scope.get('root_path', '')}{path}" if _mounted(scope) else str(path)


def _mounted(scope: Scope) -> bool:
    # Inside a mounted app (the DRS sandbox) the route's path is relative to the mount.
    return bool(scope.get("root_path")) and not str(scope["path"]).startswith("/api/")


def _log(scope: Scope, route: str, status: int, seconds: float) -> None:
    client = scope.get("client")
    fields = {
        "method": scope["method"],
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "client": client[0] if client else None,
    }
    log.info("%s %s %s %.1f ms", scope["method"], route, status, seconds * 1000, extra=fields)
