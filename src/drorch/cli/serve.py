"""`drorch serve`: the API (and UI, runner, optional sandbox) in one process."""

from __future__ import annotations

from pathlib import Path

import typer

from drorch.config import Settings


def register(app: typer.Typer) -> None:
    """Add the serve command to the root app."""
    app.command("serve")(serve)


def serve(
    host: str | None = typer.Option(None, help="Address to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8080)."),
    data_dir: Path | None = typer.Option(None, help="Folder of the SQLite database."),
) -> None:
    """Serve the REST API and the web UI."""
    overrides: dict[str, object] = {"host": host, "port": port, "data_dir": data_dir}
    chosen = {k: v for k, v in overrides.items() if v is not None}
    run_server(Settings().model_copy(update=chosen))


def run_server(settings: Settings) -> None:
    """Build the app for these settings and serve it until interrupted."""
    import uvicorn

    from drorch.api.app import create_app
    from drorch.bootstrap import bootstrap

    app = create_app(bootstrap(settings))
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        access_log=settings.log_level == "DEBUG",
    )
