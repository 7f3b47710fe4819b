"""The busiest routers are tried first; answers and the OpenAPI document do not change."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.app import create_app
from drorch.api.route_order import HOT_PREFIXES, hot_routes_first
from drorch.bootstrap import bootstrap
from drorch.config import Settings


def toy_app() -> FastAPI:
    """Cold routes first, then two hot routers whose paths overlap (the first must win)."""
    app = FastAPI()
    cold = APIRouter(prefix="/api/v1/auth")
    export = APIRouter(prefix="/api/v1/executions")
    runs = APIRouter(prefix="/api/v1/executions")
    plans = APIRouter(prefix="/api/v1/recovery-plans")

    @cold.get("/whoami")
    async def whoami() -> str:
        return "cold"

    @export.get("/export")
    async def exported() -> str:
        return "export"

    @runs.get("/{execution_id}")
    async def run(execution_id: str) -> str:
        return f"run {execution_id}"

    @plans.get("")
    async def plan_list() -> str:
        return "plans"

    for router in (cold, plans, export, runs):
        app.include_router(router)
    return app


@pytest.fixture(scope="module")
def reordered() -> Iterator[tuple[FastAPI, list[str]]]:
    app = toy_app()
    documented = list(app.openapi()["paths"])
    app.openapi_schema = None  # documented again below, after the reorder
    hot_routes_first(app)
    yield app, documented


async def get(app: FastAPI, path: str) -> tuple[int, object]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.get(path)
    return response.status_code, response.json()


def test_hot_routes_come_first_in_their_own_order(reordered: tuple[FastAPI, list[str]]) -> None:
    app, _ = reordered
    # Executions before recovery plans (HOT_PREFIXES); export still before /{execution_id}.
    assert _routers(app) == ["executions", "executions", "recovery-plans", "auth"]
    export = next(r for r in app.router.routes if getattr(r, "original_router", None))
    assert [route.path for route in export.original_router.routes] == ["/api/v1/executions/export"]


def _routers(app: FastAPI) -> list[str]:
    """The prefixes of included routers in the order they are tried (newer FastAPI)."""
    found = []
    for route in app.router.routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            found.append(router.prefix.removeprefix("/api/v1/"))
    return found


def test_every_route_answers_as_before(reordered: tuple[FastAPI, list[str]]) -> None:
    app, _ = reordered
    assert asyncio.run(get(app, "/api/v1/executions/export")) == (200, "export")
    assert asyncio.run(get(app, "/api/v1/executions/ex-1")) == (200, "run ex-1")
    assert asyncio.run(get(app, "/api/v1/recovery-plans")) == (200, "plans")
    assert asyncio.run(get(app, "/api/v1/auth/whoami")) == (200, "cold")


def test_the_document_keeps_the_order_of_inclusion(reordered: tuple[FastAPI, list[str]]) -> None:
    app, documented = reordered
    assert list(app.openapi()["paths"]) == documented
    assert documented[0] == "/api/v1/auth/whoami"


def test_the_real_app_tries_executions_first() -> None:
    container = bootstrap(Settings(runner_enabled=False), store=SqliteStore(":memory:"))
    app = create_app(container)
    ranks = [r for r in map(_router_prefix, app.router.routes) if r]
    hot = [p for p in ranks if p in HOT_PREFIXES]
    assert ranks[: len(hot)] == hot and hot[0] == "/api/v1/executions"


def _router_prefix(route: object) -> str:
    router = getattr(route, "original_router", None)
    return str(getattr(router, "prefix", "")) if router is not None else ""
