"""`drorch login`, `logout` and `whoami`: sign the CLI in to an API and show who it is."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import typer
from rich.console import RenderableType

from drorch.cli.credentials import StoredSession
from drorch.cli.http import (
    ApiClient,
    ApiError,
    ApiUrlOption,
    api_url,
    cli_settings,
    credential_store,
)
from drorch.cli.output import (
    EXIT_CONNECT,
    EXIT_USAGE,
    CliError,
    JsonOption,
    details,
    note,
    reports_errors,
    show,
)
from drorch.cli.session import AuthMode, SessionEndedError

TOKEN_PATH = "/api/v1/auth/token"
LOGOUT_PATH = "/api/v1/auth/logout"
ME_PATH = "/api/v1/auth/me"


def register(app: typer.Typer) -> None:
    """Add login, logout and whoami to the root app."""
    app.command("login")(login)
    app.command("logout")(logout)
    app.command("whoami")(whoami)


@reports_errors
def login(
    api_url_option: ApiUrlOption = None,
    username: Annotated[
        str | None, typer.Option("--username", "-u", help="Who signs in (asked when left out).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin's first line.")
    ] = False,
) -> None:
    """Sign in with a username and password; the tokens are kept (0600) for later commands."""
    url = api_url(api_url_option)
    user = username or typer.prompt("Username")
    password = (
        read_password_stdin() if password_stdin else typer.prompt("Password", hide_input=True)
    )
    started = time.time()
    with ApiClient(url, credentials=AuthMode.NONE) as client:
        try:
            reply = client.post_form(TOKEN_PATH, {"username": user, "password": password})
        except ApiError as exc:
            raise sign_in_refused(exc) from None
    store = credential_store()
    store.put(StoredSession.from_token_reply(url, reply.data, started))
    me = reply.data.get("user") or {}
    note(f"signed in to {url} as {me.get('username', user)} ({me.get('role', '?')})")
    if cli_settings().token:
        note("DRORCH_TOKEN is set and wins over this sign-in until you unset it")


def read_password_stdin() -> str:
    """The first line of stdin without its line ending; an empty one is a usage error."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError("--password-stdin: no password on stdin", EXIT_USAGE)
    return password


def sign_in_refused(exc: ApiError) -> CliError:
    """A failed sign-in as one line (never the 'run drorch login' hint: that is this)."""
    detail = str(exc.problem.get("detail") or exc.message)
    if exc.status == 429:
        return CliError(f"sign-in locked: {detail}")
    if exc.status == 401:
        return CliError(f"sign-in failed: {detail}")
    return exc


@reports_errors
def logout(api_url_option: ApiUrlOption = None) -> None:
    """End the stored session: revoke it on the server and delete the local tokens."""
    url = api_url(api_url_option)
    store = credential_store()
    if store.get(url) is None:
        note(f"not signed in to {url}")
        return
    try:
        with ApiClient(url, credentials=AuthMode.SESSION) as client:
            # No refresh token in the body: the access token's session id names the session,
            # and a body built now could carry a token that a refresh just rotated away.
            client.post(LOGOUT_PATH)
    except SessionEndedError:
        note(f"signed out of {url} (the session had already ended)")
        return
    except CliError as exc:
        store.remove(url)
        if exc.exit_code == EXIT_CONNECT:
            raise CliError(
                f"deleted the local tokens, but {url} could not be reached to revoke the "
                "session; it ends when its refresh token expires",
                EXIT_CONNECT,
            ) from None
        raise
    store.remove(url)
    note(f"signed out of {url}")


@reports_errors
def whoami(api_url_option: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """Who the API says this CLI is: username, role, source and permissions."""
    with ApiClient(api_url_option) as client:
        me = client.get(ME_PATH).data
    show(me, as_json=as_json, render=me_view)


def me_view(me: dict[str, Any]) -> RenderableType:
    """The signed-in principal as a field/value table."""
    return details(
        [
            ("username", me.get("username")),
            ("display name", me.get("display_name")),
            ("email", me.get("email")),
            ("role", me.get("role")),
            ("source", me.get("source")),
            ("permissions", me.get("permissions")),
        ]
    )
