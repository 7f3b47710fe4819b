"""The FastAPI app factory: routers, problem handlers, limits, the UI and the sandbox's front."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse

from drorch import __version__
from drorch.api import docs, health, openapi, problems, security
from drorch.api.guards import GuardRules, Guards
from drorch.api.limits import BodyLimit
from drorch.api.middleware import AuditRefusals, RequestIds
from drorch.api.request_metrics import RequestMetrics
from drorch.api.route_order import hot_routes_first
from drorch.api.routers import ROUTERS, include_routers
from drorch.api.sandbox_front import SandboxFront
from drorch.bootstrap import Container
from drorch.errors import NotFoundError

SANDBOX_MOUNT = "/sandbox/drs"
# The longest file name common file systems allow, in bytes.
MAX_NAME_BYTES = 255


def create_app(container: Container, *, lazy_routers: bool = False) -> FastAPI:
    """An app serving the API (and the UI when built) for this container.

    `lazy_routers`: each resource router is imported on the first request under its paths
    (api/routers.py); the API Lambda's cold start then pays only for what it answers.
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # A few threads serve blocking handlers: more only fight over the GIL on a small
        # machine, and each one holds its own SQLite connection and caches.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = container.settings.api_threads
        container.start()
        try:
            yield
        finally:
            container.stop()

    app = FastAPI(
        title="drorch",
        version=__version__,
        description="Disaster-recovery orchestrator for AWS Elastic Disaster Recovery.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by api/docs.py from the packaged Swagger UI
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    security.annotate(health.router)
    openapi.install(app)
    app.include_router(health.router)
    include_routers(app, ROUTERS, lazy=lazy_routers)
    docs.install(app, "/api/openapi.json")
    _serve_ui(app, container.settings.frontend_dir or _default_ui_dir())
    _add_middleware(app, container)
    _front_sandbox(app, container)
    hot_routes_first(app)  # after every route is in: tried in order, the busiest first
    return app


def _add_middleware(app: FastAPI, container: Container) -> None:
    """Body limit inside the guards, refusals audited around them, request ids outermost.

    CORS (only when configured) sits between: its preflight answers need no audit.
    """
    settings = container.settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Guards, rules=GuardRules.of(settings.hosts, settings.cors_origins))
    app.add_middleware(AuditRefusals, store=container.store)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Last-Event-ID"],
            expose_headers=["ETag", "Retry-After", "X-Request-ID"],
        )
    # Inside the request ids, so the access log line carries one.
    app.add_middleware(RequestMetrics, metrics=container.metrics, access_log=settings.access_log)
    app.add_middleware(RequestIds)  # outermost: every answer carries its request id


def _front_sandbox(app: FastAPI, container: Container) -> None:
    """The embedded sandbox at /sandbox/drs, answered before the API's middleware (outermost)."""
    if container.sandbox_app is None:
        return
    settings = container.settings
    rules = GuardRules.of(settings.hosts, settings.cors_origins)
    app.add_middleware(
        SandboxFront, sandbox=container.sandbox_app, prefix=SANDBOX_MOUNT, rules=rules
    )


def _default_ui_dir() -> Path:
    # In a source checkout the Vite build lands in <repo>/frontend/dist.
    return Path(__file__).resolve().parents[3] / "frontend" / "dist"


def _serve_ui(app: FastAPI, folder: Path) -> None:
    """Serve the built single-page app at /, falling back to index.html for client routes."""
    index = folder / "index.html"
    if not index.is_file():
        return
    root = folder.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith("api/"):
            raise NotFoundError(f"no API route matches /{path}")
        if not _plausible_name(path):
            raise NotFoundError("no file or page has this name")
        return FileResponse(_built_file(root, path) or index)


def _plausible_name(path: str) -> bool:
    """False for paths no file can have: NUL or other control characters, overlong parts."""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path):
        return False
    return all(len(part.encode()) <= MAX_NAME_BYTES for part in path.split("/"))


def _built_file(root: Path, path: str) -> Path | None:
    """The built file `path` names inside `root`, or None (a client route)."""
    if not path:
        return None
    try:
        candidate = (root / path).resolve()
        inside = candidate.is_relative_to(root) and candidate.is_file()
    except (OSError, ValueError):  # e.g. a path too long for the file system
        return None
    return candidate if inside else None
