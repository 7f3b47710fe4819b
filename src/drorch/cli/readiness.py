"""`drorch plans check`: run a plan's readiness checks on the server and show the outcome."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import EXIT_REFUSED, CliError, JsonOption, reports_errors, show, table
from drorch.cli.resources import PLANS, resolve_id

SHOWN = ("error", "warning")  # info findings are in --json only
READINESS = "/api/v1/readiness"


@reports_errors
def check_plan(
    ref: Annotated[str, typer.Argument(metavar="PLAN", help="Plan id or name.")],
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run every readiness check of a plan now: exit 0 when ready, 1 when not."""
    with ApiClient(api_url) as client:
        plan_id = resolve_id(client, PLANS, ref)
        run: dict[str, Any] = client.post(f"{PLANS.item(plan_id)}/readiness").data
    show(run, as_json=as_json, render=run_view)
    if run["status"] != "READY":
        raise typer.Exit(EXIT_REFUSED)


def run_view(run: dict[str, Any]) -> RenderableType:
    """A verdict line, then the failing and warning checks as a table."""
    verdict = "ready" if run["status"] == "READY" else "NOT READY"
    line = (
        f"plan {run['plan_name']!r} is {verdict}: {run['error_count']} error(s), "
        f"{run['warning_count']} warning(s) from {len(run['checks'])} checks ({run['id']})"
    )
    return Group(line, *findings_table(run["findings"]))


def findings_table(findings: list[dict[str, Any]]) -> list[RenderableType]:
    """The error and warning findings as one table (nothing when there are none)."""
    rows = [
        (f["severity"].upper(), f["check"], f["code"], _subject(f), f["message"])
        for f in sorted(findings, key=lambda f: SHOWN.index(f["severity"]))
        if f["severity"] in SHOWN
    ]
    if not rows:
        return []
    return [table(["SEVERITY", "CHECK", "CODE", "SUBJECT", "MESSAGE"], rows, title="Findings")]


def _subject(found: dict[str, Any]) -> str:
    return f"{found['subject']['kind']} {found['subject']['id']}"


def latest_readiness(client: ApiClient) -> dict[str, dict[str, Any]]:
    """Plan id -> its latest run ({} when the server has no readiness to show)."""
    try:
        overview: dict[str, Any] = client.get(READINESS).data
    except CliError:
        return {}  # an older server, or a token without plans:read: the list still shows
    return {run["plan_id"]: run for run in overview["items"]}


def readiness_text(run: dict[str, Any] | None) -> str:
    """`ready`, `NOT READY (n)` or `-` (never checked)."""
    if run is None:
        return "-"
    return "ready" if run["status"] == "READY" else f"NOT READY ({run['error_count']})"
