"""The FastAPI app factory: routers, problem handlers, limits, UI and sandbox mounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import FileResponse

from drorch import __version__
from drorch.api import health, problems, security
from drorch.api.audit.router import router as audit_router
from drorch.api.auth.router import router as auth_router
from drorch.api.executions.router import router as executions_router
from drorch.api.limits import BodyLimit
from drorch.api.middleware import AuditRefusals, RequestIds
from drorch.api.protection_groups.router import router as groups_router
from drorch.api.recovery_plans.router import router as plans_router
from drorch.api.source_servers.router import router as servers_router
from drorch.api.users.router import router as users_router
from drorch.bootstrap import Container

SANDBOX_MOUNT = "/sandbox/drs"


def create_app(container: Container) -> FastAPI:
    """An app serving the API (and the UI when built) for this container."""

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
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.container = container
    problems.install(app)
    security.annotate(health.router)
    app.include_router(health.router)
    for router in (
        auth_router,
        users_router,
        audit_router,
        servers_router,
        groups_router,
        plans_router,
        executions_router,
    ):
        security.annotate(router)
        app.include_router(router)
    if container.sandbox_app is not None:
        app.mount(SANDBOX_MOUNT, container.sandbox_app)
    _serve_ui(app, container.settings.frontend_dir or _default_ui_dir())
    app.add_middleware(BodyLimit, max_bytes=container.settings.max_body_bytes)
    _cors(app, container.settings.cors_origin_list)
    app.add_middleware(AuditRefusals, store=container.store)
    app.add_middleware(RequestIds)  # outermost: every answer carries its request id
    return app


def _cors(app: FastAPI, origins: list[str]) -> None:
    """Cross-origin calls only from the configured origins; none means same-origin only."""
    if not origins:
        return
    from fastapi.middleware.cors import CORSMiddleware

    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
        expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After"],
    )


# The UI's pages: no inline or foreign scripts, never framed, no referrer sent away.
UI_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


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
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate, headers=UI_HEADERS)
        if path.startswith("api/"):
            from drorch.errors import NotFoundError

            raise NotFoundError(f"no API route matches /{path}")
        return FileResponse(index, headers=UI_HEADERS)
