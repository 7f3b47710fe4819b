"""`drorch exec report` and `drorch exec export`: an execution's report, the history as a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import EXIT_USAGE, CliError, note, reports_errors

EXECUTIONS = "/api/v1/executions"
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def register(app: typer.Typer) -> None:
    """Add the report and export commands to `drorch exec`."""
    app.command("report")(report)
    app.command("export")(export)


@reports_errors
def report(
    execution: Annotated[str, typer.Argument(metavar="EXECUTION", help="Execution id.")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="File to write: .pdf or .html picks the format."),
    ],
    api_url: ApiUrlOption = None,
) -> None:
    """Write an execution's report (plan, RTO, waves, timeline, servers, people, cleanup)."""
    chosen = FORMATS.get(output.suffix.lower())
    if chosen is None:
        raise CliError(f"{output.name}: name a .pdf or .html file", EXIT_USAGE)
    with ApiClient(api_url) as client:
        body, _ = client.download(f"{EXECUTIONS}/{execution}/report", params={"format": chosen})
    _write(output, body)
    note(f"wrote the {chosen.upper()} report of {execution} to {output}")


@reports_errors
def export(
    format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    plan: Annotated[str | None, typer.Option("--plan", help="Only this plan's (id).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only this status.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="DRILL or RECOVERY.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    api_url: ApiUrlOption = None,
) -> None:
    """Export the execution history (newest first) as CSV or JSON."""
    if format not in ("csv", "json"):
        raise CliError(f"--format must be csv or json, not {format!r}", EXIT_USAGE)
    params = {"format": format, "plan_id": plan, "status": status, "type": type}
    with ApiClient(api_url) as client:
        body, _ = client.download(f"{EXECUTIONS}/export", params=params)
    if output is None:
        sys.stdout.write(body.decode())
        sys.stdout.flush()
        return
    _write(output, body)
    note(f"wrote {output}")


def _write(path: Path, body: bytes) -> None:
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
