"""Errors are problem+json that say what is wrong, and where."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.app import create_app
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.services import users
from drorch.services.audit import CLI_AUDIT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


PASSWORD = "problems-admin-password"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(runner_enabled=False, data_dir=tmp_path)
    container = bootstrap(settings, store=SqliteStore(":memory:"))
    assert container.auth is not None
    users.create_user(
        store=container.store,
        passwords=container.auth.passwords,
        audit=CLI_AUDIT,
        username="admin",
        password=PASSWORD,
        role=Role.ADMIN,
    )
    with TestClient(create_app(container)) as test_client:
        signed_in = test_client.post(
            "/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}
        )
        test_client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
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
