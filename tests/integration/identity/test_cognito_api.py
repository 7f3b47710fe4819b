"""A `drorch serve` trusting a Cognito pool on moto: its tokens reach the API as principals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.domain.identity import PERMISSIONS, Role
from tests.integration.identity.conftest import OTHER_GROUP, Pool
from tests.integration.identity.test_cognito import with_claims
from tests.support.server import RunningServer, api_client, running_server

ME = "/api/v1/auth/me"
SYNC = "/api/v1/source-servers/sync"


@pytest.fixture(scope="module")
def server(pool: Pool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """drorch serve trusting the pool's app client, keys from moto's JWKS address."""
    env = {
        "DRORCH_COGNITO_ISSUER": pool.issuer,
        "DRORCH_COGNITO_CLIENT_ID": pool.client_id,
        "DRORCH_COGNITO_JWKS_URL": pool.jwks_url,
    }
    with running_server(tmp_path_factory.mktemp("cognito-serve"), env=env) as running:
        yield running


def test_a_cognito_user_is_the_principal_its_groups_make(server: RunningServer, pool: Pool) -> None:
    username = pool.add_user(["drorch-operator", "drorch-viewer"], name="Olga Operator")
    token = pool.sign_in(username)["IdToken"]

    with api_client(server, token=token) as http:
        me = http.get(ME)

    assert me.status_code == 200, me.text
    assert me.json() == {
        "subject": pool.sub(username),
        "username": username,
        "display_name": "Olga Operator",
        "email": None,
        "role": "operator",
        "source": "cognito",
        "permissions": sorted(PERMISSIONS[Role.OPERATOR]),
    }


def test_the_role_from_cognito_is_enforced(server: RunningServer, pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]

    with api_client(server, token=token) as http:
        refused = http.post(SYNC)

    assert refused.status_code == 403
    assert (refused.json()["permission"], refused.json()["role"]) == ("servers:sync", "viewer")


def test_a_user_in_no_mapped_group_gets_403(server: RunningServer, pool: Pool) -> None:
    token = pool.sign_in(pool.add_user([OTHER_GROUP]))["AccessToken"]

    with api_client(server, token=token) as http:
        answer = http.get(ME)

    assert answer.status_code == 403
    assert answer.json()["type"] == "urn:drorch:problem:forbidden"


def test_a_tampered_cognito_token_gets_401(server: RunningServer, pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]
    forged = with_claims(token, **{"cognito:groups": ["drorch-admin"]})

    with api_client(server, token=forged) as http:
        answer = http.get(ME)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_local_sign_in_still_works_beside_cognito(server: RunningServer) -> None:
    with api_client(server) as http:  # the admin the test support signed in locally
        me = http.get(ME).json()

    assert (me["username"], me["source"]) == ("admin", "local")


def test_the_cli_sends_a_cognito_token_from_drorch_token(
    server: RunningServer, pool: Pool, tmp_path: Path
) -> None:
    username = pool.add_user(["drorch-recovery-manager"])
    token = pool.sign_in(username)["AccessToken"]
    env = {"DRORCH_TOKEN": token, "DRORCH_CONFIG_DIR": str(tmp_path)}

    result = CliRunner().invoke(app, ["whoami", "--json", "--api-url", server.base_url], env=env)

    assert result.exit_code == 0, result.stderr
    me = json.loads(result.stdout)
    assert (me["username"], me["role"], me["source"]) == (username, "recovery_manager", "cognito")
