"""`drorch sandbox`: a standalone DRS sandbox the boto3 `drs` client and AWS CLI can use."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer


def register(app: typer.Typer) -> None:
    """Add the sandbox command to the root app."""
    app.command("sandbox")(sandbox)


def sandbox(
    host: str = typer.Option("127.0.0.1", help="Address to bind."),
    port: int = typer.Option(8081, min=1, max=65535, help="Port to listen on."),
    fleet: Path | None = typer.Option(None, help="Fleet YAML file (default: the demo fleet)."),
    clock: str = typer.Option("scaled", help="scaled (real time x scale) or virtual."),
    time_scale: float = typer.Option(1.0, min=0.000001, help="Sandbox seconds per real second."),
    state_file: Path | None = typer.Option(None, help="Keep state here across restarts."),
) -> None:
    """Serve a DRS sandbox: the DRS API at the root, its admin API under /_sandbox/."""
    import uvicorn

    from drorch.sandbox import FleetError, Sandbox, create_app

    if clock not in ("scaled", "virtual"):
        raise typer.BadParameter("use scaled or virtual", param_hint="--clock")
    mode: Literal["scaled", "virtual"] = "scaled" if clock == "scaled" else "virtual"
    resuming = state_file is not None and state_file.exists()
    try:
        simulated = Sandbox.open(fleet, clock=mode, time_scale=time_scale, state_file=state_file)
    except (FleetError, ValueError, KeyError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if resuming:
        typer.echo(f"resuming {state_file} (the saved fleet is used)")
    typer.echo(f"DRS sandbox on http://{host}:{port} (admin: /_sandbox/, clock {mode})")
    uvicorn.run(create_app(simulated), host=host, port=port, log_level="warning", access_log=False)
