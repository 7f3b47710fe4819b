"""`drorch serve`: the API (and UI, runner, optional sandbox) in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from drorch.config import Settings


def register(app: typer.Typer) -> None:
    """Add the serve command to the root app."""
    app.command("serve")(serve)


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8080)."),
    data_dir: Path | None = typer.Option(None, help="Folder of the SQLite database."),
    sandbox: bool | None = typer.Option(
        None, "--sandbox/--no-sandbox", help="Mount the DRS sandbox at /sandbox/drs and use it."
    ),
    fleet: Path | None = typer.Option(None, help="Sandbox fleet YAML (default: demo fleet)."),
    time_scale: float | None = typer.Option(None, min=0.000001, help="Sandbox time scale."),
    state_file: Path | None = typer.Option(None, help="Keep the sandbox state across restarts."),
    store: str | None = typer.Option(
        None, help="Store adapter: sqlite or dynamodb (DRORCH_STORE; see docs/dynamodb.md)."
    ),
) -> None:
    """Serve the REST API and the web UI."""
    overrides: dict[str, object] = {"host": host, "port": port, "data_dir": data_dir}
    overrides["store"] = _store_choice(store)
    overrides.update(_sandbox_overrides(sandbox, fleet, time_scale, state_file))
    chosen = {k: v for k, v in overrides.items() if v is not None}
    run_server(Settings().model_copy(update=chosen))


def _store_choice(store: str | None) -> str | None:
    """The --store value, refused unless it names an adapter."""
    if store is not None and store not in ("sqlite", "dynamodb"):
        raise typer.BadParameter("use sqlite or dynamodb", param_hint="--store")
    return store


def _sandbox_overrides(
    sandbox: bool | None, fleet: Path | None, time_scale: float | None, state_file: Path | None
) -> dict[str, object]:
    """Settings the sandbox options change (None = keep the environment's value)."""
    return {
        "sandbox": sandbox,
        "sandbox_fleet": fleet,
        "sandbox_time_scale": time_scale,
        "sandbox_state_file": state_file,
    }


def run_server(settings: Settings) -> None:
    """Build the app for these settings and serve it, holding the data dir's lock."""
    from drorch.bootstrap import bootstrap, data_dir_held

    with data_dir_held(settings):
        _serve(bootstrap(settings), settings)


def _serve(container: Any, settings: Settings) -> None:
    """Serve one built container until interrupted."""
    import uvicorn

    from drorch.api.app import create_app
    from drorch.api.transport import TransportLimits, bounded_protocol

    _hint_first_admin(container, settings)
    app = create_app(container)
    limits = TransportLimits(
        request_line_bytes=settings.max_request_line_bytes,
        header_bytes=settings.max_header_bytes,
        header_seconds=settings.header_timeout_seconds,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=bounded_protocol(limits),
        log_level=settings.log_level.lower(),
        access_log=settings.log_level == "DEBUG",
        # Live event streams never end by themselves; do not let them hold up a shutdown.
        timeout_graceful_shutdown=5,
    )


def _hint_first_admin(container: Any, settings: Settings) -> None:
    """One line telling a fresh install how to create its first admin."""
    from drorch.services.users import has_users

    if not has_users(store=container.store):
        typer.echo(
            "drorch: no users yet; create the first admin with: drorch users add admin "
            f"--role admin --data-dir {settings.data_dir}",
            err=True,
        )
