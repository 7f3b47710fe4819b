"""`drorch accounts` commands: the target accounts drorch assumes a role in."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_REFUSED,
    CliError,
    JsonOption,
    details,
    note,
    reports_errors,
    show,
    table,
)
from drorch.cli.resources import IfMatchOption, YesOption

PATH = "/api/v1/accounts"

app = typer.Typer(
    help=f"Target accounts: where drorch assumes a role to reach DRS. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)

AccountArgument = Annotated[str, typer.Argument(metavar="ACCOUNT_ID", help="12-digit id.")]
RegionsOption = Annotated[
    list[str] | None, typer.Option("--region", help="A Region to manage (repeat).")
]
RoleOption = Annotated[
    str | None,
    typer.Option("--role-arn", help="Default arn:aws:iam::<id>:role/drorch-target."),
]


@app.command("list")
@reports_errors
def list_accounts(api_url: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """List registered target accounts."""
    with ApiClient(api_url) as client:
        found = client.get(PATH).data
    show(found, as_json=as_json, render=accounts_table)


@app.command("get")
@reports_errors
def get_account(
    account_id: AccountArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Show one account, its external id and its last verification."""
    with ApiClient(api_url) as client:
        account = client.get(f"{PATH}/{account_id}").data
    show(account, as_json=as_json, render=account_view)


@app.command("add")
@reports_errors
def add_account(
    account_id: AccountArgument,
    name: Annotated[str, typer.Option("--name", help="A name people recognise.")],
    region: RegionsOption = None,
    role_arn: RoleOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an account and print the command its owner runs to create the role."""
    body = {"account_id": account_id, "name": name, "regions": _regions(region)}
    if role_arn:
        body["role_arn"] = role_arn
    with ApiClient(api_url) as client:
        account = client.post(PATH, body).data
    if as_json:
        show(account, as_json=True, render=account_view)
        return
    note(f"registered {account_id}; its owner creates the role with:")
    typer.echo(account["deploy_command"])


@app.command("update")
@reports_errors
def update_account(
    account_id: AccountArgument,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    region: RegionsOption = None,
    role_arn: RoleOption = None,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an account's name, Regions (the whole list) or role."""
    with ApiClient(api_url) as client:
        current = client.get(f"{PATH}/{account_id}")
        body = {
            "name": name or current.data["name"],
            "regions": list(region) if region else current.data["regions"],
            "role_arn": role_arn or current.data["role_arn"],
        }
        version = if_match or current.data["version"]
        account = client.put(f"{PATH}/{account_id}", body, if_match=version).data
    show(account, as_json=as_json, render=account_view)


@app.command("remove")
@reports_errors
def remove_account(
    account_id: AccountArgument,
    yes: YesOption = False,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Remove an account that no protection group uses."""
    with ApiClient(api_url) as client:
        current = client.get(f"{PATH}/{account_id}").data
        if not yes:
            typer.confirm(f"remove account {account_id} ({current['name']})?", abort=True)
        client.delete(f"{PATH}/{account_id}", if_match=if_match or current["version"])
    note(f"removed account {account_id}")


@app.command("verify")
@reports_errors
def verify_account(
    account_id: Annotated[
        str | None, typer.Argument(metavar="ACCOUNT_ID", help="12-digit id.")
    ] = None,
    all_accounts: Annotated[bool, typer.Option("--all", help="Verify every account.")] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Assume each role and check every Region; exits 1 when anything is missing."""
    if (account_id is None) == (not all_accounts):
        raise CliError("name one ACCOUNT_ID or pass --all", 2)
    with ApiClient(api_url) as client:
        ids = [account_id] if account_id else [a["account_id"] for a in client.get(PATH).data]
        results = [client.post(f"{PATH}/{i}/verify").data for i in ids]
    show(results, as_json=as_json, render=verification_table)
    failed = [r["account_id"] for r in results if r["status"] != "VERIFIED"]
    if failed:
        raise CliError(f"verification failed for account(s) {', '.join(failed)}", EXIT_REFUSED)


def _regions(region: list[str] | None) -> list[str]:
    if not region:
        raise CliError("name at least one --region", 2)
    return list(region)


def accounts_table(found: list[dict[str, Any]]) -> RenderableType:
    """Accounts as a table."""
    if not found:
        return "no target accounts registered (drorch accounts add ID --name N --region R)"
    rows = [
        (a["account_id"], a["name"], ", ".join(a["regions"]), a["status"], a["role_arn"])
        for a in found
    ]
    return table(["ACCOUNT", "NAME", "REGIONS", "STATUS", "ROLE"], rows)


def account_view(account: dict[str, Any]) -> RenderableType:
    """One account's fields and its last verification per Region."""
    check = account.get("last_verification") or {}
    fields = details(
        [
            ("account", account["account_id"]),
            ("name", account["name"]),
            ("role", account["role_arn"]),
            ("external id", account["external_id"]),
            ("regions", ", ".join(account["regions"])),
            ("status", account["status"]),
            ("verified by", check.get("by")),
            ("verified at", check.get("at")),
            ("version", account["version"]),
        ]
    )
    return Group(fields, _regions_table(account))


def verification_table(results: list[dict[str, Any]]) -> RenderableType:
    """Per account and Region: what passed, the failed step, the missing permissions."""
    return Group(*(_regions_table(r) for r in results))


def _regions_table(account: dict[str, Any]) -> RenderableType:
    check = account.get("last_verification") or {}
    rows = [
        (
            account["account_id"],
            r["region"],
            "ok" if r["ok"] else "FAILED",
            r.get("failed_step"),
            ", ".join(r.get("missing_permissions") or []),
            r.get("detail"),
        )
        for r in check.get("regions", [])
    ]
    headers = ["ACCOUNT", "REGION", "RESULT", "FAILED STEP", "MISSING", "DETAIL"]
    return table(headers, rows, title=f"Verification of {account['account_id']}")
