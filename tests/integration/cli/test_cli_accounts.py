"""`drorch accounts` against real servers: the shared one, and one serving the sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.cli.conftest import Cli
from tests.support.server import RunningServer, running_server

_next = iter(range(1, 10_000))
# In the demo fleet the sandbox serves (registered by the test servers like every test account).
FLEET_ACCOUNT = "111122223333"
NOT_IN_FLEET = "123456789012"


def fresh_id() -> str:
    """An account id no other test registers."""
    return f"6666{next(_next):08d}"


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with the embedded sandbox, so verify has DRS to call."""
    with running_server(tmp_path_factory.mktemp("accounts"), args=["--sandbox"]) as server:
        yield server


def test_add_prints_the_one_line_deploy_command(cli: Cli) -> None:
    account_id = fresh_id()
    added = cli("accounts", "add", account_id, "--name", "web prod", "--region", "us-east-1")
    assert added.exit_code == 0, added.stderr
    lines = added.stdout.splitlines()
    assert len(lines) == 1
    command = lines[0]
    got = cli("accounts", "get", account_id, "--json").json()
    assert command == (
        "aws cloudformation deploy --template-file infra/target-account.yaml "
        "--stack-name drorch-target --capabilities CAPABILITY_NAMED_IAM "
        f"--parameter-overrides HubAccountId=<hub account id> ExternalId={got['external_id']} "
        "RoleName=drorch-target"
    )
    listed = cli("accounts", "list")
    assert account_id in listed.stdout and "web prod" in listed.stdout


def test_update_and_remove(cli: Cli) -> None:
    account_id = fresh_id()
    cli("accounts", "add", account_id, "--name", "a", "--region", "us-east-1")
    updated = cli(
        "accounts", "update", account_id, "--region", "us-west-2", "--region", "eu-west-1", "--json"
    )
    assert updated.exit_code == 0, updated.stderr
    assert updated.json()["regions"] == ["us-west-2", "eu-west-1"]
    assert updated.json()["name"] == "a"
    removed = cli("accounts", "remove", account_id, "--yes")
    assert removed.exit_code == 0, removed.stderr
    assert cli("accounts", "get", account_id).exit_code != 0


def test_bad_input_is_one_line_naming_the_account(cli: Cli) -> None:
    bad = cli("accounts", "add", "12ab", "--name", "x", "--region", "us-east-1")
    assert bad.exit_code != 0
    assert "12ab" in bad.error_line()
    unknown = cli("accounts", "add", fresh_id(), "--name", "x", "--region", "mars-north-1")
    assert "mars-north-1" in unknown.error_line()
    assert "999999999998" in cli("accounts", "get", "999999999998").error_line()


def test_verify_reports_each_region_and_the_failed_step(cli: Cli, sandboxed: RunningServer) -> None:
    good = cli(
        "accounts", "verify", FLEET_ACCOUNT, "--json", api_url=sandboxed.base_url, server=sandboxed
    )
    assert good.exit_code == 0, good.stderr
    [account] = good.json()
    assert account["status"] == "VERIFIED"
    check = account["last_verification"]
    assert check["by"] == "admin" and check["role_assumed"] is True
    assert [(r["region"], r["ok"]) for r in check["regions"]] == [
        ("us-east-1", True),
        ("us-west-2", True),
    ]
    bad = cli("accounts", "verify", NOT_IN_FLEET, api_url=sandboxed.base_url, server=sandboxed)
    assert bad.exit_code == 1
    assert NOT_IN_FLEET in bad.error_line()
    assert "sts:AssumeRole" in bad.stdout
    shown = cli(
        "accounts", "get", NOT_IN_FLEET, "--json", api_url=sandboxed.base_url, server=sandboxed
    )
    failed = shown.json()
    assert failed["status"] == "FAILED"
    assert failed["last_verification"]["regions"][0]["missing_permissions"] == ["sts:AssumeRole"]
