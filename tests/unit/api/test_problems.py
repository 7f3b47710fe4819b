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
    with TestClient(create_app(container), base_url="http://localhost") as test_client:
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


PYDANTIC_WORDING = ("Value error", "Input should", "Assertion failed", "pydantic", "more)")


def test_every_problem_has_its_own_message_in_plain_words(client: TestClient) -> None:
    body = {
        "name": "a\x1bb",
        "rto_minutes": 0,
        "colour": 1,
        "waves": [{"name": "", "pause_before": "x"}],
    }
    reply = client.post("/api/v1/recovery-plans", json=body)
    assert reply.status_code == 422
    problem = reply.json()
    messages = {e["path"]: e["message"] for e in problem["errors"]}
    assert messages == {
        "name": "must not contain control characters (found U+001B)",
        "rto_minutes": "must be at least 1",
        "colour": "unknown field",
        "waves[0].name": "must have at least 1 character",
        "waves[0].pause_before": "must be true or false",
    }
    assert problem["detail"] == (
        "the request has 5 problems, in name, rto_minutes, waves[0].name, "
        "waves[0].pause_before, colour"
    )
    for text in [problem["detail"], *messages.values()]:
        assert not any(words in text for words in PYDANTIC_WORDING), text


def test_a_model_rule_reads_without_pydantics_prefix(client: TestClient) -> None:
    body = {"name": "g", "account_id": "111122223333", "region": "us-east-1", "selection": {}}
    reply = client.post("/api/v1/protection-groups", json=body)
    assert reply.status_code == 422
    assert reply.json()["errors"] == [
        {"path": "selection", "message": "give exactly one of server_ids or tags", "in": "body"}
    ]
    assert reply.json()["detail"] == "selection: give exactly one of server_ids or tags"


def test_query_problems_are_plain_too(client: TestClient) -> None:
    reply = client.get("/api/v1/protection-groups", params={"limit": "ten", "sort": "colour"})
    assert reply.status_code == 422
    messages = {e["path"]: e["message"] for e in reply.json()["errors"]}
    assert messages["limit"] == "must be a whole number"
    assert messages["sort"].startswith("must be one of 'name'")


def test_execution_names_refuse_control_characters(client: TestClient) -> None:
    body = {"plan_id": "plan\x00", "type": "DRILL", "waves": ["ok", "w\u2067"]}
    reply = client.post("/api/v1/executions/preflight", json=body)
    assert reply.status_code == 422
    assert [e["path"] for e in reply.json()["errors"]] == ["plan_id", "waves[1]"]
