"""`drorch schedules` commands: drills, readiness runs and backups on a cron or once."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import RenderableType

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_USAGE,
    CliError,
    JsonOption,
    details,
    note,
    reports_errors,
    show,
    table,
)
from drorch.cli.resources import IfMatchOption, YesOption, confirm_delete

PATH = "/api/v1/schedules"

app = typer.Typer(
    help=f"Schedules: drills, readiness runs and backups by cron or at a time. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)

ScheduleArgument = Annotated[str, typer.Argument(metavar="SCHEDULE", help="Id or name.")]
CronOption = Annotated[
    str | None, typer.Option("--cron", help="Five-field cron, e.g. '0 6 * * 6'.")
]
TzOption = Annotated[str | None, typer.Option("--tz", help="IANA time zone (default UTC).")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="One run at this ISO time with offset, instead of cron.")
]
WavesOption = Annotated[
    list[str] | None, typer.Option("--wave", help="Drill only: a wave to run (repeat).")
]


@app.command("list")
@reports_errors
def list_schedules(
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan's (id).")] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List schedules with their next run and last outcome."""
    with ApiClient(api_url) as client:
        found = client.get(PATH, params={"plan_id": plan} if plan else None).data
    show(found, as_json=as_json, render=schedules_table)


@app.command("get")
@reports_errors
def get_schedule(
    schedule: ScheduleArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Show one schedule and its next run times."""
    with ApiClient(api_url) as client:
        found = client.get(f"{PATH}/{schedule}").data
    show(found, as_json=as_json, render=schedule_view)


@app.command("add")
@reports_errors
def add_schedule(
    name: Annotated[str, typer.Argument(help="A unique name.")],
    kind: Annotated[str, typer.Option("--kind", help="drill, readiness or backup.")] = "drill",
    plan: Annotated[str | None, typer.Option("--plan", help="Plan id or name.")] = None,
    cron: CronOption = None,
    tz: TzOption = None,
    at: AtOption = None,
    wave: WavesOption = None,
    retention: Annotated[
        int | None, typer.Option("--retention", min=1, help="Backup only: archives kept.")
    ] = None,
    disabled: Annotated[bool, typer.Option("--disabled", help="Create it switched off.")] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a schedule; it runs as you."""
    if (cron is None) == (at is None):
        raise CliError("give either --cron or --at", EXIT_USAGE)
    body: dict[str, Any] = {"name": name, "kind": kind, "enabled": not disabled}
    optional = {"plan_id": plan, "cron": cron, "timezone": tz, "at": at, "retention": retention}
    body.update({k: v for k, v in optional.items() if v is not None})
    if wave:
        body["waves"] = list(wave)
    with ApiClient(api_url) as client:
        made = client.post(PATH, body).data
    show(made, as_json=as_json, render=schedule_view)


@app.command("update")
@reports_errors
def update_schedule(
    schedule: ScheduleArgument,
    cron: CronOption = None,
    tz: TzOption = None,
    at: AtOption = None,
    wave: WavesOption = None,
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="Switch it on or off.")
    ] = None,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a schedule's timing, waves or switch; you become its owner."""
    with ApiClient(api_url) as client:
        current = client.get(f"{PATH}/{schedule}")
        body = _changed(current.data, cron=cron, tz=tz, at=at, wave=wave, enable=enable)
        version = if_match or current.data["version"]
        updated = client.put(f"{PATH}/{current.data['id']}", body, if_match=version).data
    show(updated, as_json=as_json, render=schedule_view)


def _changed(
    data: dict[str, Any],
    *,
    cron: str | None,
    tz: str | None,
    at: str | None,
    wave: list[str] | None,
    enable: bool | None,
) -> dict[str, Any]:
    """The draft fields of `data` with the options applied."""
    keys = ("name", "kind", "plan_id", "waves", "cron", "timezone", "at", "enabled", "retention")
    body = {k: data[k] for k in keys}
    if cron is not None:
        body.update(cron=cron, at=None)
    if at is not None:
        body.update(at=at, cron=None)
    if tz is not None:
        body["timezone"] = tz
    if wave:
        body["waves"] = list(wave)
    if enable is not None:
        body["enabled"] = enable
    return body


@app.command("remove")
@reports_errors
def remove_schedule(
    schedule: ScheduleArgument,
    yes: YesOption = False,
    if_match: IfMatchOption = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Delete a schedule and its run history."""
    with ApiClient(api_url) as client:
        current = client.get(f"{PATH}/{schedule}").data
        confirm_delete(f"schedule {current['name']!r} ({current['id']})", yes=yes)
        client.delete(f"{PATH}/{current['id']}", if_match=if_match or current["version"])
    note(f"removed schedule {current['name']!r}")


@app.command("runs")
@reports_errors
def list_runs(
    schedule: ScheduleArgument,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="Page size.")] = 20,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """A schedule's runs, newest first: started, succeeded, failed or skipped (why), late."""
    with ApiClient(api_url) as client:
        found = client.get(f"{PATH}/{schedule}").data
        page = client.get(f"{PATH}/{found['id']}/runs", params={"limit": limit}).data
    show(page, as_json=as_json, render=runs_table)


@app.command("preview")
@reports_errors
def preview(
    cron: Annotated[str, typer.Argument(help="Five-field cron, e.g. '*/30 * * * *'.")],
    tz: Annotated[str, typer.Option("--tz", help="IANA time zone.")] = "UTC",
    count: Annotated[int, typer.Option("--count", min=1, max=50, help="How many.")] = 5,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """The next times an expression runs in a time zone."""
    with ApiClient(api_url) as client:
        found = client.get(f"{PATH}/preview", params={"cron": cron, "tz": tz, "count": count})
    show(found.data, as_json=as_json, render=preview_view)


def schedules_table(found: list[dict[str, Any]]) -> RenderableType:
    """Schedules as a table."""
    if not found:
        return "no schedules yet (drorch schedules add NAME --plan P --cron '0 6 * * 6')"
    rows = [
        (
            s["name"],
            s["kind"],
            s["plan_id"],
            s["cron"] or s["at"],
            s["timezone"],
            "yes" if s["enabled"] else "no",
            s["next_due_at"],
            (s["last_run"] or {}).get("status"),
            s["owner"]["username"],
        )
        for s in found
    ]
    headers = ["NAME", "KIND", "PLAN", "WHEN", "TZ", "ON", "NEXT", "LAST", "OWNER"]
    return table(headers, rows)


def schedule_view(s: dict[str, Any]) -> RenderableType:
    """One schedule's fields."""
    return details(
        [
            ("id", s["id"]),
            ("name", s["name"]),
            ("kind", s["kind"]),
            ("plan", s["plan_id"]),
            ("waves", s["waves"] or "all"),
            ("when", s["description"]),
            ("cron", s["cron"]),
            ("time zone", s["timezone"]),
            ("enabled", s["enabled"]),
            ("retention", s["retention"]),
            ("owner", f"{s['owner']['username']} ({s['owner']['role']})"),
            ("next runs", ", ".join(s["next_runs"])),
            ("last run", (s["last_run"] or {}).get("status")),
            ("version", s["version"]),
        ]
    )


def runs_table(page: dict[str, Any]) -> RenderableType:
    """Runs of one schedule."""
    if not page["items"]:
        return "no runs yet"
    rows = [
        (
            r["due_at"],
            r["status"],
            "late" if r["late"] else "",
            r["missed"] or "",
            r["execution_id"],
            r["message"],
        )
        for r in page["items"]
    ]
    return table(["DUE", "STATUS", "LATE", "MISSED", "EXECUTION", "MESSAGE"], rows)


def preview_view(found: dict[str, Any]) -> RenderableType:
    """The next times, with what the expression means."""
    rows = [(t,) for t in found["times"]]
    return table([f"{found['description']} ({found['timezone']}), in UTC"], rows)
