"""Errors are problem+json that say what is wrong, and where."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.app import create_app
from drorch.bootstrap import bootstrap
from drorch.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture
def client() -> Iterator[TestClient]:
    container = bootstrap(Settings(runner_enabled=False), store=SqliteStore(":memory:"))
    with TestClient(create_app(container), base_url="http://localhost") as test_client:
        yield test_client


def test_malformed_json_names_the_character_not_a_field(client: TestClient) -> None:
    reply = client.post(
        "/api/v1/protection-groups",
        content=b'{"name": ',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 400
    assert reply.headers["content-type"] == "application/problem+json"
    body = reply.json()
    assert "character 9" in body["detail"]
    assert body["errors"] == [{"path": "", "message": body["detail"], "in": "body"}]


def test_field_errors_name_the_field_path(client: TestClient) -> None:
    reply = client.post(
        "/api/v1/recovery-plans", json={"name": "p", "waves": [{"name": ""}], "colour": 1}
    )
    assert reply.status_code == 422
    paths = {e["path"] for e in reply.json()["errors"]}
    assert {"waves[0].name", "colour"} <= paths
