"""`drorch login`, `whoami`, `logout`, `tokens` and the CLI's stored, refreshed session."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.domain.identity import Role
from tests.integration.cli.conftest import Outcome
from tests.support.server import (
    Credentials,
    RunningServer,
    api_client,
    ensure_user,
    running_server,
)

REFRESH = "/api/v1/auth/refresh"
Run = Callable[..., Outcome]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of this module's own, so its failed sign-ins lock nobody else out."""
    with running_server(tmp_path_factory.mktemp("login-serve")) as running:
        yield running


@pytest.fixture(scope="module")
def operator(server: RunningServer) -> Credentials:
    """An operator who signs in with a password."""
    return ensure_user(server.data_dir, "olivia", Role.OPERATOR)


@pytest.fixture(scope="module")
def viewer(server: RunningServer) -> Credentials:
    """A viewer who signs in with a password."""
    return ensure_user(server.data_dir, "victor", Role.VIEWER)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """This test's own config dir, where login writes credentials.json."""
    return tmp_path / "config" / "drorch"


@pytest.fixture
def run(server: RunningServer, config_dir: Path) -> Run:
    """Run `drorch <args> --api-url <server>` as a person would: no DRORCH_TOKEN."""
    return person(server, config_dir)


def person(server: RunningServer, config_dir: Path) -> Run:
    """A runner of `drorch` commands against `server` keeping its tokens in `config_dir`."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, token: str | None = None) -> Outcome:
        env = {"DRORCH_CONFIG_DIR": str(config_dir), "DRORCH_TOKEN": token}
        argv = [*args, "--api-url", server.base_url]
        result = runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return invoke


def login(run: Run, who: Credentials) -> Outcome:
    """`drorch login --username U --password-stdin`, expected to succeed."""
    out = run("login", "--username", who.username, "--password-stdin", input=who.password + "\n")
    assert out.exit_code == 0, out.stderr
    return out


def stored(config_dir: Path, server: RunningServer) -> dict[str, Any] | None:
    """The session the credentials file holds for the server, if any."""
    data = json.loads((config_dir / "credentials.json").read_text())
    entry: dict[str, Any] | None = data["sessions"].get(server.base_url)
    return entry


def edit_stored(config_dir: Path, server: RunningServer, **changes: Any) -> None:
    """Change fields of the stored session, as time passing or a stale copy would."""
    path = config_dir / "credentials.json"
    data = json.loads(path.read_text())
    data["sessions"][server.base_url].update(changes)
    path.write_text(json.dumps(data))


def refresh_status(server: RunningServer, refresh_token: str) -> int:
    """What the API answers to a refresh with this token."""
    with api_client(server) as http:
        return http.post(REFRESH, json={"refresh_token": refresh_token}).status_code


def test_login_with_password_stdin_stores_a_private_session(
    run: Run, server: RunningServer, operator: Credentials, config_dir: Path
) -> None:
    out = login(run, operator)

    assert f"signed in to {server.base_url} as olivia (operator)" in out.stderr
    path = config_dir / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    session = stored(config_dir, server)
    assert session is not None and session["username"] == "olivia"
    assert session["refresh_token"].startswith("drr_")
    assert operator.password not in path.read_text()


def test_login_prompts_for_what_is_not_given(
    run: Run, server: RunningServer, viewer: Credentials, config_dir: Path
) -> None:
    out = run("login", input=f"{viewer.username}\n{viewer.password}\n")

    assert out.exit_code == 0, out.stderr
    assert viewer.password not in out.stdout + out.stderr  # the prompt hides it
    assert stored(config_dir, server) is not None


def test_an_empty_password_on_stdin_is_a_usage_error(run: Run, config_dir: Path) -> None:
    out = run("login", "-u", "olivia", "--password-stdin", input="\n")

    assert out.exit_code == 2
    assert out.error_line() == "error: --password-stdin: no password on stdin"
    assert not (config_dir / "credentials.json").exists()


def test_whoami_shows_the_signed_in_user_role_and_permissions(
    run: Run, operator: Credentials
) -> None:
    login(run, operator)

    me = run("whoami", "--json").json()
    table = run("whoami").stdout

    assert (me["username"], me["role"], me["source"]) == ("olivia", "operator", "local")
    assert "drills:start" in me["permissions"] and "recoveries:start" not in me["permissions"]
    assert "olivia" in table and "operator" in table and "drills:start" in table


def test_a_wrong_password_is_one_line_and_stores_nothing(
    run: Run, operator: Credentials, config_dir: Path
) -> None:
    out = run("login", "-u", operator.username, "--password-stdin", input="not-the-password\n")

    assert out.exit_code == 1
    assert out.error_line().startswith("error: sign-in failed: ")
    assert not (config_dir / "credentials.json").exists()


def test_without_a_session_a_command_says_how_to_sign_in(run: Run, server: RunningServer) -> None:
    out = run("servers", "list")

    assert out.exit_code == 1
    assert out.error_line() == (
        f"error: not signed in: run `drorch login --api-url {server.base_url}` or set DRORCH_TOKEN"
    )


def test_a_forbidden_command_names_the_permission_and_the_role(
    run: Run, viewer: Credentials
) -> None:
    login(run, viewer)

    out = run("servers", "sync")

    assert out.exit_code == 1
    assert (
        out.error_line() == "error: forbidden: needs permission servers:sync; your role is viewer"
    )


def test_an_operator_starting_a_recovery_is_told_the_permission_it_lacks(
    api: RunningServer,
    make_group: Callable[..., dict[str, Any]],
    make_plan: Callable[..., dict[str, Any]],
    pool: Callable[[int], list[str]],
    config_dir: Path,
) -> None:
    plan = make_plan([("w", [make_group(ids=pool(2))["id"]])])
    run_there = person(api, config_dir)
    login(run_there, ensure_user(api.data_dir, "oscar", Role.OPERATOR))

    out = run_there("exec", "start", plan["id"], "--recovery", "--yes")

    assert out.exit_code == 1
    assert out.error_line() == (
        "error: forbidden: needs permission recoveries:start; your role is operator"
    )


def test_an_expired_access_token_is_refreshed_before_the_request(
    run: Run, server: RunningServer, operator: Credentials, config_dir: Path
) -> None:
    login(run, operator)
    before = stored(config_dir, server)
    assert before is not None
    edit_stored(config_dir, server, access_expires_at=0)  # as if its 15 minutes were over

    out = run("whoami", "--json")

    assert out.exit_code == 0, out.stderr
    after = stored(config_dir, server)
    assert after is not None
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] != before["refresh_token"]
    assert after["access_expires_at"] > 0
    assert refresh_status(server, before["refresh_token"]) == 401  # rotated: used once


def test_a_refused_access_token_is_refreshed_and_the_request_retried(
    run: Run, server: RunningServer, operator: Credentials, config_dir: Path
) -> None:
    login(run, operator)
    before = stored(config_dir, server)
    assert before is not None
    edit_stored(config_dir, server, access_token="eyJhbGciOiJIUzI1NiJ9.e30.bm90LXNpZ25lZA")

    out = run("whoami", "--json")

    assert out.exit_code == 0, out.stderr
    assert out.json()["username"] == "olivia"
    after = stored(config_dir, server)
    assert after is not None and after["refresh_token"] != before["refresh_token"]


def test_a_session_that_cannot_be_refreshed_says_sign_in_again_and_is_forgotten(
    run: Run, server: RunningServer, operator: Credentials, config_dir: Path
) -> None:
    login(run, operator)
    session = stored(config_dir, server)
    assert session is not None
    assert refresh_status(server, session["refresh_token"]) == 200  # spent by someone else
    edit_stored(config_dir, server, access_expires_at=0)

    out = run("servers", "list")

    assert out.exit_code == 1
    assert out.error_line() == (
        f"error: session expired or revoked: run `drorch login --api-url {server.base_url}` "
        "or set DRORCH_TOKEN"
    )
    assert stored(config_dir, server) is None


def test_logout_revokes_the_session_and_deletes_the_tokens(
    run: Run, server: RunningServer, operator: Credentials, config_dir: Path
) -> None:
    login(run, operator)
    session = stored(config_dir, server)
    assert session is not None

    out = run("logout")

    assert out.exit_code == 0, out.stderr
    assert f"signed out of {server.base_url}" in out.stderr
    assert stored(config_dir, server) is None
    assert refresh_status(server, session["refresh_token"]) == 401
    with api_client(server, token=session["access_token"]) as http:
        assert http.get("/api/v1/auth/me").status_code == 401
    again = run("logout")
    assert again.exit_code == 0 and "not signed in" in again.stderr


def test_drorch_token_wins_over_the_stored_session(
    run: Run, server: RunningServer, operator: Credentials
) -> None:
    login(run, operator)

    me = run("whoami", "--json", token=server.token).json()

    assert (me["username"], me["role"]) == ("admin", "admin")


def test_a_refused_drorch_token_says_so_in_one_line(run: Run) -> None:
    out = run("whoami", token="drt_nope.not-a-real-secret")

    assert out.exit_code == 1
    line = out.error_line()
    assert line.startswith("error: DRORCH_TOKEN was refused (")
    assert "unset it and run `drorch login --api-url" in line


def test_api_tokens_are_created_once_listed_used_and_revoked(
    run: Run, server: RunningServer, operator: Credentials
) -> None:
    login(run, operator)

    created = run("tokens", "create", "nightly-drill", "--role", "viewer", "--expires-in-days", "7")
    assert created.exit_code == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("drt_") and len(created.stdout.splitlines()) == 1
    assert "not shown again" in created.stderr

    me = run("whoami", "--json", token=secret).json()
    assert (me["username"], me["role"], me["source"]) == ("olivia", "viewer", "api_token")

    listed = run("tokens", "list", "--json").json()
    mine = next(t for t in listed if t["name"] == "nightly-drill")
    assert mine["role"] == "viewer" and "token" not in mine
    assert secret not in run("tokens", "list").stdout

    refused = run("tokens", "list", "--all-users")
    assert refused.error_line() == (
        "error: forbidden: needs permission tokens:admin; your role is operator"
    )
    everyone = run("tokens", "list", "--all-users", "--json", token=server.token).json()
    assert mine["id"] in {t["id"] for t in everyone}

    revoked = run("tokens", "revoke", mine["id"])
    assert revoked.exit_code == 0, revoked.stderr
    refused = run("whoami", token=secret)
    assert refused.exit_code == 1 and "DRORCH_TOKEN was refused" in refused.error_line()


def test_a_token_above_ones_own_role_is_refused(run: Run, operator: Credentials) -> None:
    login(run, operator)

    out = run("tokens", "create", "too-strong", "--role", "admin")

    assert out.exit_code == 1
    assert "admin" in out.error_line()


def test_a_locked_sign_in_says_when_to_try_again(tmp_path: Path) -> None:
    env = {"DRORCH_LOGIN_MAX_FAILURES": "2"}  # a server of its own: the lock covers 127.0.0.1
    with running_server(tmp_path / "serve", env=env) as locking:
        run_there = person(locking, tmp_path / "config")
        who = ensure_user(locking.data_dir, "lena", Role.VIEWER)
        for _ in range(2):
            run_there("login", "-u", who.username, "--password-stdin", input="wrong-password\n")

        out = run_there("login", "-u", who.username, "--password-stdin", input=who.password + "\n")

    assert out.exit_code == 1
    line = out.error_line()
    assert line.startswith("error: sign-in locked: too many failed sign-ins; try again in ")
    assert not (tmp_path / "config" / "credentials.json").exists()
