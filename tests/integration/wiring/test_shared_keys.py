"""Shared keys on moto: API containers built with one secret accept each other's cursors and
local tokens (as Lambda instances with their own /tmp must); a bad secret stops the start."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from drorch.adapters.identity.local import Argon2Passwords
from drorch.api.app import create_app
from drorch.bootstrap import Container, bootstrap
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.errors import KeysUnavailableError
from drorch.services import users
from drorch.services.audit import CLI_AUDIT
from tests.support.moto_server import RunningMoto, running_moto
from tests.support.sandbox import serve_app

SECRET = "drorch-test-keys"
PASSWORD = "a-long-enough-password-1"


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with pytest.MonkeyPatch.context() as patch, running_moto(tmp_path_factory.mktemp("m")) as m:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.delenv("AWS_PROFILE", raising=False)
        yield m


@pytest.fixture(scope="module")
def secret(moto: RunningMoto) -> str:
    """The secret as the stack's GenerateSecretString makes it; its ARN."""
    manager = moto.client("secretsmanager")
    key = manager.get_random_password(PasswordLength=64, ExcludePunctuation=True)
    value = {"purpose": "drorch shared keys", "key": key["RandomPassword"]}
    return str(manager.create_secret(Name=SECRET, SecretString=json.dumps(value))["ARN"])


def settings(moto: RunningMoto, data_dir: Path, keys_secret: str | None) -> Settings:
    """An API instance's settings: the DynamoDB store on moto, its own data dir (its /tmp)."""
    return Settings(
        data_dir=data_dir,
        store="dynamodb",
        dynamodb_endpoint_url=moto.url,
        dynamodb_table_prefix="drorch-keys",
        keys_secret=keys_secret,
        secretsmanager_endpoint_url=moto.url,
        drs_enabled=False,
        runner_enabled=False,
        scheduler_enabled=False,
        notify_enabled=False,
    )


@pytest.fixture(scope="module")
def apis(
    moto: RunningMoto, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Two instances sharing the secret (by name, by ARN) and one without it, on one store."""
    made: dict[str, Container] = {
        "one": bootstrap(settings(moto, tmp_path_factory.mktemp("one"), SECRET)),
        "two": bootstrap(settings(moto, tmp_path_factory.mktemp("two"), secret)),
        "own": bootstrap(settings(moto, tmp_path_factory.mktemp("own"), None)),
    }
    for name in ("ada", "bob"):
        users.create_user(
            store=made["one"].store, passwords=Argon2Passwords(), audit=CLI_AUDIT,
            username=name, password=PASSWORD, role=Role.ADMIN,
        )  # fmt: skip
    with ExitStack() as stack:
        yield {name: stack.enter_context(serve_app(create_app(c))) for name, c in made.items()}
    for container in made.values():
        container.stop()


def sign_in(url: str) -> dict[str, str]:
    answer = httpx.post(f"{url}/api/v1/auth/token", data={"username": "ada", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture(scope="module")
def tokens(apis: dict[str, str]) -> dict[str, dict[str, str]]:
    """A sign-in on the first sharing instance and one on the instance without the secret."""
    return {name: sign_in(apis[name]) for name in ("one", "own")}


def test_a_token_from_one_instance_is_accepted_by_another(
    apis: dict[str, str], tokens: dict[str, dict[str, str]]
) -> None:
    token = tokens["one"]
    me = httpx.get(f"{apis['two']}/api/v1/auth/me", headers=token)
    assert me.status_code == 200, me.text
    assert me.json()["username"] == "ada"
    # Without the secret an instance signs with its own data dir's key: refused.
    assert httpx.get(f"{apis['own']}/api/v1/auth/me", headers=token).status_code == 401


def test_a_cursor_from_one_instance_pages_on_another(
    apis: dict[str, str], tokens: dict[str, dict[str, str]]
) -> None:
    token = tokens["one"]
    first = httpx.get(f"{apis['one']}/api/v1/audit", params={"limit": 1}, headers=token)
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor
    page = {"limit": 1, "cursor": cursor}
    second = httpx.get(f"{apis['two']}/api/v1/audit", params=page, headers=token)
    assert second.status_code == 200, second.text
    assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]
    refused = httpx.get(f"{apis['own']}/api/v1/audit", params=page, headers=tokens["own"])
    assert refused.status_code in {400, 422}, refused.text


def test_a_missing_secret_is_a_startup_error(moto: RunningMoto, tmp_path: Path) -> None:
    with pytest.raises(KeysUnavailableError) as raised:
        bootstrap(settings(moto, tmp_path, "drorch-no-such-keys"))
    assert str(raised.value) == (
        "cannot read the shared keys' secret drorch-no-such-keys: ResourceNotFoundException"
    )


def test_a_secret_without_keys_is_a_startup_error_naming_no_value(
    moto: RunningMoto, tmp_path: Path
) -> None:
    value = {"key": "short-and-secret"}
    moto.client("secretsmanager").create_secret(Name="drorch-bad", SecretString=json.dumps(value))
    with pytest.raises(KeysUnavailableError, match="shorter than 32") as raised:
        bootstrap(settings(moto, tmp_path, "drorch-bad"))
    assert "short-and-secret" not in str(raised.value)
