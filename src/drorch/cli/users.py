"""`drorch users`: local users, on a data dir without a server or over the API for admins."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    JsonOption,
    note,
    reports_errors,
    show,
    table,
)
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.errors import DrorchError

app = typer.Typer(
    help="Local users and their roles. With --data-dir the commands work on the database "
    f"directly (no server needed); otherwise they call the API as an admin. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)
PATH = "/api/v1/users"
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Work on this data dir's database, without a server."),
]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin (one line).")
]


@app.command("add")
@reports_errors
def add_user(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[Role, typer.Option(help="The user's role.")] = Role.VIEWER,
    display_name: Annotated[str | None, typer.Option(help="Name shown in the UI.")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    password_stdin: PasswordStdinOption = False,
    data_dir: DataDirOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user (password: at least 12 characters, not the username)."""
    password = read_password(password_stdin)
    fields = {"username": username, "display_name": display_name, "email": email}
    if data_dir is not None:
        from drorch.services import users

        with local(data_dir) as (container, audit):
            user = users.create_user(
                store=container.store,
                passwords=container.auth.passwords,
                audit=audit,
                username=username,
                password=password,
                role=role,
                display_name=display_name,
                email=email,
            ).model_dump(mode="json")
    else:
        with ApiClient(api_url) as client:
            user = client.post(PATH, {**fields, "role": role.value, "password": password}).data
    show(user, as_json=as_json, render=lambda u: users_table([u]))


@app.command("list")
@reports_errors
def list_users(
    data_dir: DataDirOption = None, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """List every user with role and state."""
    if data_dir is not None:
        from drorch.services import users

        with local(data_dir) as (container, _):
            found = [u.model_dump(mode="json") for u in users.list_users(store=container.store)]
    else:
        with ApiClient(api_url) as client:
            found = client.get(PATH).data
    show(found, as_json=as_json, render=users_table)


@app.command("set-role")
@reports_errors
def set_role(
    username: Annotated[str, typer.Argument(help="User name or id.")],
    role: Annotated[Role, typer.Argument(help="The new role.")],
    data_dir: DataDirOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Give a user another role (effective on their next request)."""
    change(username, {"role": role}, data_dir, api_url)
    note(f"{username} is now {role.value}")


@app.command("disable")
@reports_errors
def disable(
    username: Annotated[str, typer.Argument(help="User name or id.")],
    enable: Annotated[bool, typer.Option("--enable", help="Enable the user again.")] = False,
    data_dir: DataDirOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Stop a user from signing in or using their tokens (at once); --enable undoes it."""
    change(username, {"enabled": enable}, data_dir, api_url)
    note(f"{username} is {'enabled' if enable else 'disabled'}")


@app.command("reset-password")
@reports_errors
def reset_password(
    username: Annotated[str, typer.Argument(help="User name or id.")],
    password_stdin: PasswordStdinOption = False,
    data_dir: DataDirOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Set a new password for a user."""
    password = read_password(password_stdin)
    if data_dir is not None:
        from drorch.services import users

        with local(data_dir) as (container, audit):
            users.reset_password(
                store=container.store,
                passwords=container.auth.passwords,
                audit=audit,
                user_id=username,
                password=password,
            )
    else:
        with ApiClient(api_url) as client:
            user = client.get(f"{PATH}/{username}").data
            client.post(f"{PATH}/{user['id']}/password", {"password": password})
    note(f"password of {username} changed")


def change(
    username: str, fields: dict[str, Any], data_dir: Path | None, api_url: str | None
) -> None:
    """Apply changes to one user, locally or over the API."""
    if data_dir is not None:
        from drorch.services import users

        with local(data_dir) as (container, audit):
            users.update_user(
                store=container.store,
                audit=audit,
                user_id=username,
                changes=users.UserChanges(**fields),
            )
        return
    with ApiClient(api_url) as client:
        user = client.get(f"{PATH}/{username}").data
        body = {k: v.value if isinstance(v, Role) else v for k, v in fields.items()}
        client.put(f"{PATH}/{user['id']}", {**body, "version": user["version"]})


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or asked twice without echo."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError("--password-stdin: stdin gave no password", EXIT_USAGE)
        return line
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@contextmanager
def local(data_dir: Path) -> Iterator[tuple[Any, Any]]:
    """The container of a data dir (no runner, no DRS) and the CLI's audit context."""
    from drorch.bootstrap import bootstrap
    from drorch.services.audit import CLI_AUDIT

    settings = Settings().model_copy(
        update={"data_dir": data_dir, "runner_enabled": False, "sandbox": False}
    )
    container = bootstrap(settings)
    assert container.auth is not None
    try:
        yield container, CLI_AUDIT
    except DrorchError as exc:
        # The same one line an API refusal gives, without the HTTP status.
        raise CliError(exc.detail, EXIT_REFUSED) from None
    finally:
        container.stop()


def users_table(found: list[dict[str, Any]]) -> Any:
    """Users as a table."""
    rows = [
        (u["username"], u["role"], u["enabled"], u["display_name"], u.get("last_sign_in_at"))
        for u in found
    ]
    return table(["username", "role", "enabled", "display name", "last sign-in"], rows)
