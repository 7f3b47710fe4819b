"""`drorch groups` commands (talk to the API over HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType

from drorch.cli.files import FileOption, load_document
from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_USAGE,
    CliError,
    JsonOption,
    details,
    reports_errors,
    show,
    table,
    warn,
)
from drorch.cli.resources import (
    GROUPS,
    AllOption,
    CursorOption,
    IfMatchOption,
    LimitOption,
    YesOption,
    delete_resource,
    document_body,
    fetch,
    list_page,
    parse_tags,
    resolve_id,
    show_page,
    sort_check,
    update_body,
    update_precondition,
)

app = typer.Typer(
    help=f"Protection groups: which servers recover together. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)

RefArgument = Annotated[str, typer.Argument(metavar="GROUP", help="Group id or name.")]


GroupSortOption = Annotated[
    str,
    typer.Option(
        "--sort",
        help="name, created_at; prefix - to reverse.",
        callback=sort_check("name", "created_at"),
    ),
]


@app.command("list")
@reports_errors
def list_groups(
    search: Annotated[str | None, typer.Option(help="Name contains.")] = None,
    account: Annotated[str | None, typer.Option(help="AWS account id.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region.")] = None,
    sort: GroupSortOption = "name",
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List protection groups."""
    params = {
        "search": search,
        "account_id": account,
        "region": region,
        "sort": sort,
        "limit": limit,
        "cursor": cursor,
    }
    with ApiClient(api_url) as client:
        page = list_page(client, GROUPS.path, params, all_pages=all_pages)
    show_page(page, as_json=as_json, render=groups_table, nothing="no protection groups match")


@app.command("get")
@reports_errors
def get_group(ref: RefArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """Show one group with its member servers."""
    with ApiClient(api_url) as client:
        group = fetch(client, GROUPS, ref).data
    show(group, as_json=as_json, render=group_view)


@app.command("create")
@reports_errors
def create_group(
    file: FileOption, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Create a group from a YAML or JSON file."""
    body = document_body(load_document(file))
    with ApiClient(api_url) as client:
        group = client.post(GROUPS.path, body).data
    warn(group.get("warnings") or [])
    show(group, as_json=as_json, render=group_view)


@app.command("update")
@reports_errors
def update_group(
    ref: RefArgument,
    file: FileOption,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace a group with the file's content (the whole group)."""
    doc = load_document(file)
    with ApiClient(api_url) as client:
        current = fetch(client, GROUPS, ref)
        group_id = current.data["id"]
        body = update_body(doc, target_id=group_id)
        version = update_precondition(current, doc, if_match)
        group = client.put(GROUPS.item(group_id), body, if_match=version).data
    warn(group.get("warnings") or [])
    show(group, as_json=as_json, render=group_view)


@app.command("delete")
@reports_errors
def delete_group(
    ref: RefArgument,
    yes: YesOption = False,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a group that no recovery plan uses."""
    delete_resource(GROUPS, ref, yes=yes, if_match=if_match, api_url=api_url, as_json=as_json)


@app.command("preview")
@reports_errors
def preview_group(
    file: Annotated[
        Path | None,
        typer.Option("-f", "--file", metavar="FILE", help="Group document (YAML or JSON)."),
    ] = None,
    account: Annotated[str | None, typer.Option(help="AWS account id.")] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="Select by tag key=value (repeat).")] = None,
    server: Annotated[
        list[str] | None, typer.Option(help="Select this server id (repeat).")
    ] = None,
    group: Annotated[str | None, typer.Option(help="The group being edited (id or name).")] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show which servers a selection picks now, and which another group already holds."""
    doc = load_document(file) if file is not None else {}
    body = _preview_body(doc, account=account, region=region, tags=tag, servers=server)
    with ApiClient(api_url) as client:
        if group is not None:
            body["group_id"] = resolve_id(client, GROUPS, group)
        preview = client.post(f"{GROUPS.path}/preview", body).data
    warn(preview.get("warnings") or [])
    show(preview, as_json=as_json, render=preview_view)


def _preview_body(
    doc: dict[str, Any],
    *,
    account: str | None,
    region: str | None,
    tags: list[str] | None,
    servers: list[str] | None,
) -> dict[str, Any]:
    """The preview request from a document and/or options (options win)."""
    body: dict[str, Any] = {
        "account_id": account or doc.get("account_id"),
        "region": region or doc.get("region"),
        "selection": doc.get("selection"),
    }
    if doc.get("id") or doc.get("group_id"):
        body["group_id"] = doc.get("group_id") or doc.get("id")
    if doc.get("server_overrides"):
        body["server_overrides"] = doc["server_overrides"]
    if tags and servers:
        raise CliError("select by --tag or by --server, not both", EXIT_USAGE)
    if tags:
        body["selection"] = {"tags": parse_tags(tags)}
    elif servers:
        body["selection"] = {"server_ids": list(servers)}
    missing = [k for k in ("account_id", "region", "selection") if body[k] is None]
    if missing:
        raise CliError(
            f"preview needs {', '.join(missing)}: pass -f FILE or --account, --region and "
            "--tag/--server",
            EXIT_USAGE,
        )
    return body


def selection_text(selection: dict[str, Any]) -> str:
    """A selection in a few words."""
    if selection.get("tags") is not None:
        return "tags " + ", ".join(f"{k}={v}" for k, v in selection["tags"].items())
    count = len(selection.get("server_ids") or [])
    return f"{count} listed server{'s' if count != 1 else ''}"


def groups_table(page: dict[str, Any]) -> RenderableType:
    """A page of groups as a table."""
    rows = [
        (
            g["id"],
            g["name"],
            g["account_id"],
            g["region"],
            selection_text(g["selection"]),
            g["version"],
        )
        for g in page["items"]
    ]
    return table(["ID", "NAME", "ACCOUNT", "REGION", "SELECTION", "VERSION"], rows)


def group_view(group: dict[str, Any]) -> RenderableType:
    """One group: its fields, launch defaults, overrides and members."""
    defaults = group.get("launch_defaults") or {}
    fields = details(
        [
            ("id", group["id"]),
            ("name", group["name"]),
            ("description", group.get("description")),
            ("account", group["account_id"]),
            ("region", group["region"]),
            ("selection", selection_text(group["selection"])),
            *((f"launch.{k}", v) for k, v in defaults.items()),
            ("version", group["version"]),
            ("updated", group.get("updated_at")),
        ]
    )
    parts: list[RenderableType] = [fields]
    overrides = group.get("server_overrides") or {}
    if overrides:
        rows = [(sid, {k: v for k, v in o.items() if v}) for sid, o in overrides.items()]
        parts.append(table(["SERVER", "OVERRIDES"], rows, title="Server overrides"))
    members = group.get("member_server_ids") or []
    parts.append(table(["SERVER"], [(m,) for m in members], title=f"Members ({len(members)})"))
    return Group(*parts)


def preview_view(preview: dict[str, Any]) -> RenderableType:
    """The servers a selection picks, marking those another group holds."""
    if not preview["servers"]:
        return "no source servers match the selection"
    held = {c["source_server_id"]: c for c in preview.get("conflicts", [])}
    rows = [
        (
            s["id"],
            s["hostname"],
            s["replication_state"],
            _holder(held.get(s["id"])),
        )
        for s in preview["servers"]
    ]
    title = f"{len(rows)} server(s) selected, {len(held)} held by another group"
    return table(["ID", "HOSTNAME", "REPLICATION", "HELD BY"], rows, title=title)


def _holder(conflict: dict[str, str] | None) -> str | None:
    if conflict is None:
        return None
    return f"{conflict['group_name']} ({conflict['group_id']})"
