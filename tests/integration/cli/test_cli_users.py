"""`drorch users` on a data dir (no server) and over the API; `drorch audit list` exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from drorch.cli.main import app
from tests.integration.cli.conftest import Cli
from tests.integration.conftest import unique_name
from tests.support.server import Credentials, running_server, sign_in

PASSWORD = "a-password-of-length"


def local(*args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run a `drorch users` command in-process, with no server and no token."""
    result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_users_work_on_a_data_dir_without_a_server(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    code, out, _ = local(
        "users", "add", "erin", "--role", "operator", "--password-stdin", "--json",
        "--data-dir", data, input=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["role"] == "operator"
    code, _, err = local(
        "users", "add", "frank", "--password-stdin", "--data-dir", data, input="short\n"
    )
    assert code == 1 and err.strip() == "error: the user is invalid: must be at least 12 characters"
    assert local("users", "set-role", "erin", "plan_manager", "--data-dir", data)[0] == 0
    local(
        "users",
        "add",
        "root",
        "--role",
        "admin",
        "--password-stdin",
        "--data-dir",
        data,
        input=PASSWORD,
    )
    code, _, err = local("users", "disable", "root", "--data-dir", data)
    assert code == 1 and "would leave no enabled admin" in err
    new_password = PASSWORD + "-2"
    code, _, _ = local(
        "users",
        "reset-password",
        "erin",
        "--password-stdin",
        "--data-dir",
        data,
        input=new_password + "\n",
    )
    assert code == 0
    listed = json.loads(local("users", "list", "--json", "--data-dir", data)[1])
    assert [(u["username"], u["role"], u["enabled"]) for u in listed] == [
        ("erin", "plan_manager", True),
        ("root", "admin", True),
    ]
    with running_server(tmp_path / "data") as server:
        token = sign_in(server.base_url, Credentials("erin", new_password))
        assert token
        assert local("users", "disable", "erin", "--data-dir", data)[0] == 0
        listed = json.loads(local("users", "list", "--json", "--data-dir", data)[1])
        assert {u["username"]: u["enabled"] for u in listed}["erin"] is False


def test_admins_manage_users_over_the_api_and_export_the_audit_log(cli: Cli) -> None:
    name = unique_name("cli-user")
    added = cli(
        "users",
        "add",
        name,
        "--role",
        "auditor",
        "--password-stdin",
        "--json",
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.stderr
    assert cli("users", "set-role", name, "viewer").exit_code == 0
    listed = {u["username"]: u["role"] for u in cli("users", "list", "--json").json()}
    assert listed[name] == "viewer"
    exported = cli("audit", "list", "--target-id", added.json()["id"], "--format", "csv")
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [r["action"] for r in rows] == ["user.set_role", "user.create"]
    assert {r["username"] for r in rows} == {"admin"} and {r["outcome"] for r in rows} == {
        "success"
    }
    as_json = cli(
        "audit", "list", "--action", "user.create", "--limit", "1", "--format", "json"
    ).json()
    assert len(as_json["items"]) == 1 and as_json["next_cursor"]
    table = cli("audit", "list", "--target-id", added.json()["id"])
    assert "user.set_role" in table.stdout and table.exit_code == 0
