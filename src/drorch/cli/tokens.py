"""`drorch tokens`: API tokens for automation (the secret is printed once, at creation)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import RenderableType

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    JsonOption,
    note,
    print_json,
    reports_errors,
    show,
    table,
)

app = typer.Typer(
    help=f"API tokens: bearer tokens for scripts and CI (DRORCH_TOKEN). {EXIT_CODES_HELP}",
    no_args_is_help=True,
)
PATH = "/api/v1/auth/api-tokens"
COLUMNS = ("id", "user_id", "name", "role", "created_at", "expires_at", "revoked_at")


@app.command("create")
@reports_errors
def create_token(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. ci-nightly-drill.")],
    role: Annotated[
        str | None, typer.Option(help="Its role, at most yours (default: the API's).")
    ] = None,
    expires_in_days: Annotated[
        int | None, typer.Option(min=1, max=365, help="Lifetime in days (default: the API's).")
    ] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a token; its secret alone goes to stdout, once (store it now)."""
    body = {"name": name, "role": role, "expires_in_days": expires_in_days}
    with ApiClient(api_url) as client:
        created = client.post(PATH, {k: v for k, v in body.items() if v is not None}).data
    if as_json:
        print_json(created)
    else:
        sys.stdout.write(f"{created['token']}\n")
    note(
        f"created API token {created.get('id')} ({created.get('role')}, expires "
        f"{created.get('expires_at')}); the secret is not shown again"
    )


@app.command("list")
@reports_errors
def list_tokens(
    everyone: Annotated[
        bool, typer.Option("--all-users", help="Everyone's tokens (needs tokens:admin).")
    ] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your API tokens, or everyone's (never their secrets)."""
    with ApiClient(api_url) as client:
        data = client.get(PATH, params={"all": "true" if everyone else None}).data
    show(token_items(data), as_json=as_json, render=tokens_table)


@app.command("revoke")
@reports_errors
def revoke_token(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id.")],
    api_url: ApiUrlOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    with ApiClient(api_url) as client:
        client.delete(f"{PATH}/{token_id}")
    note(f"revoked API token {token_id}")


def token_items(data: Any) -> list[dict[str, Any]]:
    """The tokens of the answer, whether it is a bare list or a page with items."""
    items = data.get("items", []) if isinstance(data, dict) else data
    return list(items or [])


def tokens_table(items: list[dict[str, Any]]) -> RenderableType:
    """One row per token."""
    return table(COLUMNS, ([item.get(c) for c in COLUMNS] for item in items))
