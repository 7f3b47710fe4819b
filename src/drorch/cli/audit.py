"""`drorch audit`: read (and export) the audit log over the API."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import EXIT_CODES_HELP, console, print_json, reports_errors, table
from drorch.cli.resources import AllOption, CursorOption, LimitOption, hint_more, list_page

app = typer.Typer(
    help=f"The audit log: who did what, when, with what outcome. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)
PATH = "/api/v1/audit"
COLUMNS = (
    "at",
    "username",
    "role",
    "action",
    "target_type",
    "target_id",
    "outcome",
    "status",
    "client",
    "request_id",
    "comment",
)


class Format(StrEnum):
    """How the records are printed."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


@app.command("list")
@reports_errors
def list_audit(
    principal: Annotated[str | None, typer.Option(help="Username or subject id.")] = None,
    action: Annotated[str | None, typer.Option(help="e.g. execution.start")] = None,
    target_type: Annotated[str | None, typer.Option(help="e.g. plan, group, execution.")] = None,
    target_id: Annotated[str | None, typer.Option(help="The target's id.")] = None,
    outcome: Annotated[str | None, typer.Option(help="success, denied, refused or failed.")] = None,
    since: Annotated[datetime | None, typer.Option(help="At or after this time (UTC).")] = None,
    until: Annotated[datetime | None, typer.Option(help="Before this time (UTC).")] = None,
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    output: Annotated[Format, typer.Option("--format", help="table, csv or json.")] = Format.TABLE,
    api_url: ApiUrlOption = None,
) -> None:
    """Audit records, newest first, filtered; --all --format csv exports everything."""
    params: dict[str, Any] = {
        "principal": principal,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "outcome": outcome,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
        "limit": limit,
        "cursor": cursor,
    }
    with ApiClient(api_url) as client:
        page = list_page(client, PATH, params, all_pages=all_pages)
    if output == Format.JSON:
        print_json(page)
    elif output == Format.CSV:
        write_csv(page["items"])
    else:
        rows = [[item.get(c) for c in COLUMNS] for item in page["items"]]
        console().print(table(COLUMNS, rows))
    if output != Format.JSON:
        hint_more(page)


def write_csv(items: list[dict[str, Any]]) -> None:
    """The records as CSV on stdout, one header row first."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in items:
        writer.writerow(["" if item.get(c) is None else item[c] for c in COLUMNS])
    sys.stdout.flush()
