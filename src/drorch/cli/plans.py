"""`drorch plans` commands (talk to the API over HTTP)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType

from drorch.cli.files import FileOption, load_document
from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    JsonOption,
    details,
    reports_errors,
    show,
    table,
)
from drorch.cli.readiness import check_plan, findings_table, latest_readiness, readiness_text
from drorch.cli.resources import (
    GROUPS,
    PLANS,
    AllOption,
    CursorOption,
    IfMatchOption,
    LimitOption,
    YesOption,
    delete_resource,
    document_body,
    fetch,
    list_page,
    resolve_id,
    show_page,
    sort_check,
    update_body,
    update_precondition,
)

app = typer.Typer(
    help=f"Recovery plans: ordered waves of protection groups. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)

RefArgument = Annotated[str, typer.Argument(metavar="PLAN", help="Plan id or name.")]


PlanSortOption = Annotated[
    str,
    typer.Option(
        "--sort",
        help="name, created_at; prefix - to reverse.",
        callback=sort_check("name", "created_at"),
    ),
]


@app.command("list")
@reports_errors
def list_plans(
    search: Annotated[str | None, typer.Option(help="Name contains.")] = None,
    sort: PlanSortOption = "name",
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List recovery plans."""
    params = {"search": search, "sort": sort, "limit": limit, "cursor": cursor}
    with ApiClient(api_url) as client:
        page = list_page(client, PLANS.path, params, all_pages=all_pages)
        latest = {} if as_json or not page["items"] else latest_readiness(client)
    render = partial(plans_table, latest=latest)
    show_page(page, as_json=as_json, render=render, nothing="no recovery plans match")


@app.command("get")
@reports_errors
def get_plan(ref: RefArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False) -> None:
    """Show one plan and its waves."""
    with ApiClient(api_url) as client:
        plan = fetch(client, PLANS, ref).data
    show(plan, as_json=as_json, render=plan_view)


@app.command("create")
@reports_errors
def create_plan(
    file: FileOption, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Create a plan from a YAML or JSON file (waves may name groups by name or id)."""
    doc = load_document(file)
    with ApiClient(api_url) as client:
        body = _with_group_ids(client, document_body(doc))
        plan = client.post(PLANS.path, body).data
    show(plan, as_json=as_json, render=plan_view)


@app.command("update")
@reports_errors
def update_plan(
    ref: RefArgument,
    file: FileOption,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace a plan with the file's content (the whole plan)."""
    doc = load_document(file)
    with ApiClient(api_url) as client:
        current = fetch(client, PLANS, ref)
        plan_id = current.data["id"]
        body = _with_group_ids(client, update_body(doc, target_id=plan_id))
        version = update_precondition(current, doc, if_match)
        plan = client.put(PLANS.item(plan_id), body, if_match=version).data
    show(plan, as_json=as_json, render=plan_view)


@app.command("delete")
@reports_errors
def delete_plan(
    ref: RefArgument,
    yes: YesOption = False,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a plan."""
    delete_resource(PLANS, ref, yes=yes, if_match=if_match, api_url=api_url, as_json=as_json)


@app.command("validate")
@reports_errors
def validate_plan(
    ref: Annotated[
        str | None, typer.Argument(metavar="[PLAN]", help="Saved plan id or name.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("-f", "--file", metavar="FILE", help="Validate an unsaved plan document."),
    ] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check a plan: errors block a run (exit 1), warnings are worth reading (exit 0)."""
    if (ref is None) == (file is None):
        raise CliError("give either a PLAN or -f FILE", EXIT_USAGE)
    with ApiClient(api_url) as client:
        if file is not None:
            body = _with_group_ids(client, document_body(load_document(file)))
            result = client.post(f"{PLANS.path}/validate", body).data
        else:
            plan_id = resolve_id(client, PLANS, str(ref))
            result = client.post(f"{PLANS.item(plan_id)}/validate").data
    show(result, as_json=as_json, render=validation_view)
    if not result["valid"]:
        raise typer.Exit(EXIT_REFUSED)


def _with_group_ids(client: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    """The body with group names in waves replaced by their ids."""
    waves = body.get("waves")
    if not isinstance(waves, list):
        return body
    known: dict[str, str] = {}  # each name is looked up once

    def group_id(ref: Any) -> Any:
        if not isinstance(ref, str):
            return ref  # the API names the wrong type
        if ref not in known:
            known[ref] = resolve_id(client, GROUPS, ref)
        return known[ref]

    resolved = []
    for wave in waves:
        refs = wave.get("protection_group_ids") if isinstance(wave, dict) else None
        if isinstance(refs, list):
            wave = {**wave, "protection_group_ids": [group_id(r) for r in refs]}
        resolved.append(wave)
    return {**body, "waves": resolved}


def plans_table(
    page: dict[str, Any], latest: dict[str, dict[str, Any]] | None = None
) -> RenderableType:
    """A page of plans as a table, with each plan's latest readiness when known."""
    latest = latest or {}
    rows = [
        (
            p["id"],
            p["name"],
            len(p["waves"]),
            p.get("rto_minutes"),
            p["version"],
            readiness_text(latest.get(p["id"])),
        )
        for p in page["items"]
    ]
    return table(["ID", "NAME", "WAVES", "RTO (MIN)", "VERSION", "READINESS"], rows)


def plan_view(plan: dict[str, Any]) -> RenderableType:
    """One plan: its fields and a table of waves."""
    fields = details(
        [
            ("id", plan["id"]),
            ("name", plan["name"]),
            ("description", plan.get("description")),
            ("rto minutes", plan.get("rto_minutes")),
            ("version", plan["version"]),
            ("updated", plan.get("updated_at")),
        ]
    )
    rows = [
        (
            i + 1,
            w["name"],
            w["protection_group_ids"],
            _depends_text(plan["waves"], i),
            w.get("pause_before", False),
        )
        for i, w in enumerate(plan["waves"])
    ]
    waves = table(["#", "WAVE", "GROUPS", "DEPENDS ON", "PAUSE"], rows, title="Waves")
    # A save's answer carries the store-only readiness findings: advice, shown once.
    found = findings_table((plan.get("readiness") or {}).get("findings", []))
    return Group(fields, waves, *found)


def _depends_text(waves: list[dict[str, Any]], index: int) -> str:
    # A null depends_on means "the previous wave"; show what that resolves to.
    depends = waves[index].get("depends_on")
    if depends is not None:
        return ", ".join(depends) or "(none)"
    return f"{waves[index - 1]['name']} (previous)" if index > 0 else "(none)"


def validation_view(result: dict[str, Any]) -> RenderableType:
    """Validation outcome: a verdict line, then errors and warnings by field path."""
    verdict = "valid" if result["valid"] else "INVALID"
    parts: list[RenderableType] = [
        f"{verdict}: {len(result['errors'])} error(s), {len(result['warnings'])} warning(s)"
    ]
    for title, key in (("Errors", "errors"), ("Warnings", "warnings")):
        if result[key]:
            rows = [(p["path"], p["message"]) for p in result[key]]
            parts.append(table(["WHERE", "PROBLEM"], rows, title=title))
    return Group(*parts)


app.command("check")(check_plan)
