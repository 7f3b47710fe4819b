"""`drorch exec` commands: start, watch and steer executions over the HTTP API."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer
from rich.console import RenderableType

from drorch.cli import execution_actions
from drorch.cli.execution_actions import ExecArgument, post_action
from drorch.cli.execution_preflight import refusal_line, show_preflight
from drorch.cli.execution_views import execution_view, jobs_table, servers_table
from drorch.cli.follow import EXECUTIONS, follow_execution, last_event_seq
from drorch.cli.http import ApiClient, ApiError, ApiUrlOption
from drorch.cli.output import (
    EXIT_CODES_HELP,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    JsonOption,
    note,
    reports_errors,
    show,
    table,
)
from drorch.cli.resources import (
    PLANS,
    AllOption,
    CursorOption,
    LimitOption,
    YesOption,
    list_page,
    resolve_id,
    show_page,
)

app = typer.Typer(
    help=f"Executions: run recovery plans as drills or recoveries. {EXIT_CODES_HELP}",
    no_args_is_help=True,
)

# -F, not -f: every command's -f is --file.
FollowOption = Annotated[
    bool, typer.Option("--follow", "-F", help="Show live progress until the execution ends.")
]


@app.command("start")
@reports_errors
def start_execution(
    plan: Annotated[str, typer.Argument(metavar="PLAN", help="Plan id or name.")],
    drill: Annotated[
        bool, typer.Option("--drill/--recovery", help="A drill (default) or a real recovery.")
    ] = True,
    waves: Annotated[
        str | None, typer.Option("--waves", metavar="W1,W2", help="Run only these waves.")
    ] = None,
    allow_unhealthy: Annotated[
        bool, typer.Option(help="Start even if replication of some servers is unhealthy.")
    ] = False,
    cleanup_after: Annotated[
        str | None,
        typer.Option(
            "--cleanup-after",
            metavar="MINUTES|keep",
            help="Drills: clean up this long after the end, or keep (default: the plan's).",
        ),
    ] = None,
    follow: FollowOption = False,
    yes: YesOption = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Only run the preflight and show it: start nothing, ask nothing; "
            "exit 1 when a start would be refused.",
        ),
    ] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start a plan; with --follow, exit 0 only if it ends COMPLETED.

    With --dry-run, show the preflight only: exit 0 when a start would be accepted, 1 if not.
    """
    if dry_run and follow:
        raise CliError("--dry-run starts nothing, so there is nothing to --follow", EXIT_USAGE)
    if not drill and not dry_run:
        confirm_recovery(plan, yes=yes)
    with ApiClient(api_url) as client:
        body: dict[str, Any] = {
            "plan_id": resolve_id(client, PLANS, plan),
            "type": "DRILL" if drill else "RECOVERY",
            "waves": _wave_names(waves),
            "allow_unhealthy": allow_unhealthy,
        }
        if cleanup_after is not None:
            body["cleanup_after_minutes"] = _cleanup_after(cleanup_after)
        if dry_run:
            raise typer.Exit(show_preflight(client, body, as_json=as_json))
        execution = _post_start(client, body, plan)
        if not follow:
            show(execution, as_json=as_json, render=execution_view)
            return
        note(f"started {execution['type']} {execution['id']} of plan {execution['plan_name']!r}")
        final = follow_or_detach(client, execution["id"], as_json=as_json)
    raise typer.Exit(exit_code(final))


def _cleanup_after(text: str) -> float | str:
    """`--cleanup-after`: minutes or `keep` (the API checks the range)."""
    if text == "keep":
        return text
    try:
        return float(text)
    except ValueError:
        raise CliError(f"--cleanup-after takes minutes or keep, not {text!r}", EXIT_USAGE) from None


@app.command("list")
@reports_errors
def list_executions(
    plan: Annotated[str | None, typer.Option(help="Plan id or name.")] = None,
    status: Annotated[str | None, typer.Option(help="e.g. RUNNING, COMPLETED.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="DRILL or RECOVERY.")] = None,
    limit: LimitOption = 50,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List executions, newest first."""
    with ApiClient(api_url) as client:
        plan_id = resolve_id(client, PLANS, plan) if plan else None
        params = {"plan_id": plan_id, "status": status, "type": type}
        page = list_page(
            client, EXECUTIONS, {**params, "limit": limit, "cursor": cursor}, all_pages=all_pages
        )
    show_page(page, as_json=as_json, render=executions_table, nothing="no executions match")


@app.command("get")
@reports_errors
def get_execution(
    execution_id: ExecArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Show one execution: status, timings and its waves with servers counted by status."""
    with ApiClient(api_url) as client:
        execution = client.get(f"{EXECUTIONS}/{execution_id}").data
    show(execution, as_json=as_json, render=execution_view)


@app.command("servers")
@reports_errors
def list_servers(
    execution_id: ExecArgument,
    wave: Annotated[str | None, typer.Option(help="Only this wave's servers.")] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Only these statuses (repeat), e.g. FAILED.")
    ] = None,
    account: Annotated[str | None, typer.Option(help="Only this account's servers.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Part of the id, hostname, job or instance id.")
    ] = None,
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List an execution's servers in plan order: status, DRS job and instance ids."""
    params = {"wave": wave, "status": status or None, "account_id": account, "search": search}
    with ApiClient(api_url) as client:
        page = list_page(
            client,
            f"{EXECUTIONS}/{execution_id}/servers",
            {**params, "limit": limit, "cursor": cursor},
            all_pages=all_pages,
        )
    show_page(page, as_json=as_json, render=servers_table, nothing="no servers match")


@app.command("jobs")
@reports_errors
def list_jobs(
    execution_id: ExecArgument,
    kind: Annotated[str | None, typer.Option(help="LAUNCH or TERMINATE.")] = None,
    limit: LimitOption = 100,
    cursor: CursorOption = None,
    all_pages: AllOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the DRS jobs drorch started for an execution, oldest first."""
    with ApiClient(api_url) as client:
        page = list_page(
            client,
            f"{EXECUTIONS}/{execution_id}/jobs",
            {"kind": kind, "limit": limit, "cursor": cursor},
            all_pages=all_pages,
        )
    show_page(page, as_json=as_json, render=jobs_table, nothing="no DRS jobs yet")


@app.command("pause")
@reports_errors
def pause(
    execution_id: ExecArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Start no new wave; running waves go on."""
    post_action(execution_id, "pause", None, api_url=api_url, as_json=as_json)


@app.command("resume")
@reports_errors
def resume(
    execution_id: ExecArgument, api_url: ApiUrlOption = None, as_json: JsonOption = False
) -> None:
    """Go on after a pause or a wave's pause_before hold."""
    post_action(execution_id, "resume", None, api_url=api_url, as_json=as_json)


@app.command("cancel")
@reports_errors
def cancel(
    execution_id: ExecArgument,
    terminate: Annotated[
        bool, typer.Option("--terminate", help="Drills: terminate what was launched.")
    ] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start no new jobs; running jobs finish, then the execution ends CANCELLED."""
    body = {"terminate_instances": terminate}
    post_action(execution_id, "cancel", body, api_url=api_url, as_json=as_json)


@app.command("terminate")
@reports_errors
def terminate(
    execution_id: ExecArgument,
    follow: FollowOption = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Clean up a finished drill: terminate the recovery instances it launched."""
    with ApiClient(api_url) as client:
        # Follow only what this cleanup adds, not the drill's whole timeline again.
        seen = last_event_seq(client, execution_id) if follow else 0
        execution = client.post(f"{EXECUTIONS}/{execution_id}/terminate-instances").data
        if follow:
            execution = follow_or_detach(client, execution_id, as_json=as_json, after_seq=seen)
        else:
            show(execution, as_json=as_json, render=execution_view)
    if follow and execution.get("cleanup_status") != "COMPLETED":
        raise typer.Exit(EXIT_REFUSED)


# Here, not at the end: `drorch exec --help` lists approve and decline before follow.
execution_actions.register(app)


@app.command("follow")
@reports_errors
def follow(
    execution_id: ExecArgument,
    poll: Annotated[
        bool, typer.Option("--poll", help="Poll the API instead of reading the event stream.")
    ] = False,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show live progress; exit 0 when the execution ends COMPLETED, 1 otherwise."""
    with ApiClient(api_url) as client:
        final = follow_or_detach(client, execution_id, as_json=as_json, poll=poll)
    raise typer.Exit(exit_code(final))


def confirm_recovery(plan: str, *, yes: bool) -> None:
    """A real recovery launches production instances: ask, and never assume without a TTY."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise CliError(
            f"not starting a RECOVERY of {plan!r} without confirmation: pass --yes "
            "(stdin is not a terminal)",
            EXIT_USAGE,
        )
    question = f"Start a real RECOVERY of plan {plan!r}? It launches instances in DRS."
    if not typer.confirm(question, default=False, err=True):
        raise CliError("not confirmed; no recovery was started", EXIT_REFUSED)


def exit_code(execution: dict[str, Any]) -> int:
    """0 for a COMPLETED execution, 1 for any other outcome."""
    return EXIT_OK if execution.get("status") == "COMPLETED" else EXIT_REFUSED


def _wave_names(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if not names:
        raise CliError("--waves needs at least one wave name", EXIT_USAGE)
    return names


def _post_start(client: ApiClient, body: dict[str, Any], plan: str) -> dict[str, Any]:
    """POST the start; a refused preflight is one error line naming every reason."""
    try:
        execution: dict[str, Any] = client.post(EXECUTIONS, body).data
    except ApiError as exc:
        conflicts = exc.problem.get("conflicts") or []
        if exc.status != 409 or not conflicts:
            raise
        raise CliError(refusal_line(plan, conflicts), EXIT_REFUSED) from None
    return execution


def follow_or_detach(
    client: ApiClient,
    execution_id: str,
    *,
    as_json: bool,
    poll: bool = False,
    after_seq: int = 0,
) -> dict[str, Any]:
    """Follow to the end and show the final state; Ctrl-C stops watching, not the execution."""
    try:
        final = follow_execution(
            client, execution_id, quiet_stdout=as_json, poll=poll, after_seq=after_seq
        )
    except KeyboardInterrupt:
        note(f"stopped following; {execution_id} goes on (drorch exec follow {execution_id})")
        raise typer.Exit(130) from None
    show(final, as_json=as_json, render=execution_view)
    return final


def executions_table(page: dict[str, Any]) -> RenderableType:
    """A page of executions as a table."""
    keys = ("id", "plan_name", "type", "status", "cleanup_status", "servers", "created_at")
    rows = [_pick(e, (*keys, "ended_at")) for e in page["items"]]
    return table([k.upper().replace("_", " ") for k in (*keys, "ended_at")], rows)


def _pick(item: dict[str, Any], keys: Iterable[str]) -> list[Any]:
    return [item.get(k) for k in keys]
