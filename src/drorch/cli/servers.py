"""`drorch servers` commands (talk to the API over HTTP)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    JsonOption,
    duration_text,
    reports_errors,
    show,
    table,
)
from drorch.cli.resources import (
    GROUPS,
    AllOption,
    CursorOption,
    LimitOption,
    list_page,
    parse_tags,
    resolve_id,
    show_page,
    sort_check,
)

app = typer.Typer(
    help=f"Source servers: the inventory drorch caches from DRS. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)
PATH = "/api/v1/source-servers"
SYNC_TIMEOUT = 600.0  # a sync reads every account and Region from DRS


ServerSortOption = Annotated[
    str,
    typer.Option(
        "--sort",
        help="hostname, id, account_id, region, replication_state; prefix - to reverse.",
        callback=sort_check("hostname", "id", "account_id", "region", "replication_state"),
    ),
]


@app.command("list")
@reports_errors
def list_servers(
    account: Annotated[str | None, typer.Option(help="AWS account id.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region.")] = None,
    tag: Annotated[
        list[str] | None, typer.Option(help="key=value; repeat, all must match.")
    ] = None,
    state: Annotated[
        str | None, typer.Option(help="Replication state, e.g. CONTINUOUS or STALLED.")
    ] = None,
    assigned: Annotated[
        bool | None,
        typer.Option("--assigned/--unassigned", help="Only servers in / not in a group."),
    ] = None,
    group: Annotated[str | None, typer.Option(help="Members of this group (id or name).")] = None,
    search: Annotated[str | None, typer.Option(help="Hostname contains.")] = None,
    sort: ServerSortOption = "hostname",
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List source servers with filters, sorted, a page at a time (or --all)."""
    tags = parse_tags(tag or [])
    params: dict[str, Any] = {
        "account_id": account,
        "region": region,
        "tag": [f"{k}={v}" for k, v in tags.items()],
        "replication_state": state,
        "assigned": assigned,
        "search": search,
        "sort": sort,
        "limit": limit,
        "cursor": cursor,
    }
    with ApiClient(api_url) as client:
        if group is not None:
            params["group_id"] = resolve_id(client, GROUPS, group)
        page = list_page(client, PATH, params, all_pages=all_pages)
    show_page(page, as_json=as_json, render=servers_table, nothing="no source servers match")


@app.command("sync")
@reports_errors
def sync_servers(api_url: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """Refresh the inventory from DRS in every managed account and Region."""
    with ApiClient(api_url) as client:
        result = client.post(f"{PATH}/sync", timeout=SYNC_TIMEOUT).data
    show(result, as_json=as_json, render=sync_view)


def servers_table(page: dict[str, Any]) -> RenderableType:
    """A page of servers as a table."""
    rows = [
        (
            s["id"],
            s["hostname"],
            s["account_id"],
            s["region"],
            s["os"],
            s["replication_state"],
            _lag(s.get("lag_seconds")),
            s.get("group_name"),  # .get: an older API does not send it
            s["tags"],
        )
        for s in page["items"]
    ]
    columns = ["ID", "HOSTNAME", "ACCOUNT", "REGION", "OS", "REPLICATION", "LAG", "GROUP", "TAGS"]
    return table(columns, rows)


def _lag(seconds: float | None) -> str | None:
    return duration_text(seconds)


def sync_view(result: dict[str, Any]) -> RenderableType:
    """Per-scope counts of a sync, and the servers no tag group could take."""
    rows = [
        (s.get("account_id"), s.get("region"), s.get("servers"), s.get("removed"))
        for s in result.get("scopes", [])
    ]
    parts: list[RenderableType] = [
        table(["ACCOUNT", "REGION", "SERVERS", "REMOVED"], rows, title="Synced")
    ]
    skipped = result.get("skipped") or []
    if skipped:
        held = [
            (s.get("source_server_id"), s.get("wanted_by"), s.get("group_name")) for s in skipped
        ]
        title = "Matched a tag group but already held by another group"
        parts.append(table(["SERVER", "WANTED BY", "HELD BY"], held, title=title))
    return Group(*parts)
