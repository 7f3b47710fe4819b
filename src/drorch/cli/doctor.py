"""`drorch doctor`: the morning checklist, from the API or straight from a data dir."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import JsonOption, console, print_json, reports_errors, table
from drorch.config import Settings

PATH = "/api/v1/doctor"
MARKS = {"ok": "ok", "warn": "WARN", "fail": "FAIL"}


def register(app: typer.Typer) -> None:
    """Add the doctor command to the root app."""
    app.command("doctor")(doctor_command)


@reports_errors
def doctor_command(
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Check this data dir's database, without a server."),
    ] = None,
    api_url: ApiUrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the morning checklist; exit 1 when a check fails (warnings exit 0)."""
    found = _local(data_dir) if data_dir is not None else _remote(api_url)
    if as_json:
        print_json(found)
    else:
        console().print(_table(found))
        typer.echo(f"doctor: {found['status']}", err=True)
    if found["status"] == "fail":
        raise typer.Exit(1)


def _remote(api_url: str | None) -> dict[str, Any]:
    with ApiClient(api_url) as client:
        found: dict[str, Any] = client.get(PATH).data
        return found


def _local(data_dir: Path) -> dict[str, Any]:
    """Run the checks on a data dir's store (no runner, no DRS)."""
    from drorch.bootstrap import bootstrap
    from drorch.services import doctor

    settings = Settings().model_copy(
        update={"data_dir": data_dir, "runner_enabled": False, "sandbox": False}
    )
    container = bootstrap(settings)
    try:
        found = doctor.run_doctor(
            store=container.store, limits=doctor.thresholds(settings), now=datetime.now(UTC)
        )
    finally:
        container.stop()
    return found.model_dump(mode="json")


def _table(found: dict[str, Any]) -> Any:
    rows = [(MARKS[c["status"]], c["name"], c["message"]) for c in found["checks"]]
    return table(["status", "check", "what to do"], rows)
