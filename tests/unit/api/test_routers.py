"""Lazy routers (api/routers.py) answer exactly as included ones; the table matches them."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.app import create_app
from drorch.api.routers import ROUTERS, DeferredRouter, RouterRef
from drorch.bootstrap import Container, bootstrap
from drorch.config import Settings

METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def container() -> Iterator[Container]:
    box = bootstrap(Settings(runner_enabled=False), store=SqliteStore(":memory:"))
    yield box
    box.store.close()


@pytest.fixture(scope="module")
def eager(container: Container) -> FastAPI:
    return create_app(container)


@pytest.mark.parametrize("ref", ROUTERS, ids=lambda ref: ref.module.removeprefix("drorch.api."))
def test_each_entry_names_its_router_prefix_and_serves_all_its_paths(ref: RouterRef) -> None:
    router = ref.load()
    assert router.prefix == ref.prefix
    paths = list(_paths(router.routes))
    assert paths and all(ref.serves(path) for path in paths)


def test_a_router_serves_its_own_paths_only() -> None:
    ref = RouterRef("m", "/api/v1/users")
    assert ref.serves("/api/v1/users") and ref.serves("/api/v1/users/u-1/password")
    assert not ref.serves("/api/v1/users-x") and not ref.serves("/api/v1")


def test_a_lazy_app_imports_nothing_until_asked(container: Container) -> None:
    app = create_app(container, lazy_routers=True)
    deferred = [r for r in app.router.routes if isinstance(r, DeferredRouter)]
    assert len(deferred) == len(ROUTERS)
    assert asyncio.run(_answer(app, "get", "/health"))[0] == 200
    assert all(r.included is None for r in deferred)  # /health is no router's path


def test_every_operation_answers_the_same_lazily(container: Container, eager: FastAPI) -> None:
    lazy = create_app(container, lazy_routers=True)
    operations = list(_operations(eager.openapi()))
    assert len(operations) > 70
    for method, path in operations:  # signed out: each route's own first refusal
        assert asyncio.run(_answer(lazy, method, path)) == asyncio.run(
            _answer(eager, method, path)
        ), (method, path)
    for method, path in (("get", "/api/v1/nowhere"), ("put", "/health"), ("get", "/metrics/")):
        assert asyncio.run(_answer(lazy, method, path)) == asyncio.run(
            _answer(eager, method, path)
        ), (method, path)


def test_the_document_and_the_route_order_do_not_change(
    container: Container, eager: FastAPI
) -> None:
    lazy = create_app(container, lazy_routers=True)
    assert lazy.openapi() == eager.openapi()
    # Documenting loaded every router, each in its stand-in's place (hot routers first).
    assert _order(lazy) == _order(eager)
    assert not any(isinstance(r, DeferredRouter) for r in lazy.router.routes)


def _paths(routes: list[Any]) -> Iterator[str]:
    for route in routes:
        router = getattr(route, "original_router", None)
        if router is not None:
            yield from _paths(router.routes)
        else:
            yield str(getattr(route, "path", type(route).__name__))


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for template, item in document["paths"].items():
        path = re.sub(r"\{[^}]+\}", "x-1", template)
        for method in METHODS:
            if method in item:
                yield method, path


def _order(app: FastAPI) -> list[str]:
    """Each route or included router, by its (first) path, in the order they are tried."""
    return [next(_paths([route]), "") for route in app.router.routes]


async def _answer(app: FastAPI, method: str, path: str) -> tuple[int, str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        response = await client.request(method.upper(), path)
    return response.status_code, _without_request_id(response.text)


def _without_request_id(text: str) -> str:
    # Problems name their request; the two apps answer different requests.
    return re.sub(r'"request_id":"[^"]*"', "", text)
