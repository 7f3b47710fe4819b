"""`drorch worker`: the engine runner alone, against the same data dir as `drorch serve`."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from drorch.cli.output import EXIT_USAGE, CliError, note, reports_errors
from drorch.config import Settings
from drorch.engine.runner import Runner


def register(app: typer.Typer) -> None:
    """Add the worker command to the root app."""
    app.command("worker")(worker)


@reports_errors
def worker(
    data_dir: Annotated[Path | None, typer.Option(help="Folder of the SQLite database.")] = None,
    drs_endpoint_url: Annotated[
        str | None,
        typer.Option(
            "--drs-endpoint-url",
            metavar="URL",
            help="DRS endpoint, e.g. a sandbox: http://127.0.0.1:8080/sandbox/drs.",
        ),
    ] = None,
) -> None:
    """Advance executions (leases in the store keep workers apart) until SIGINT/SIGTERM.

    Without an endpoint it drives real DRS in every registered account, through STS.
    """
    overrides = {"data_dir": data_dir, "drs_endpoint_url": drs_endpoint_url}
    chosen = {k: v for k, v in overrides.items() if v is not None}
    # A worker never hosts a sandbox of its own: it talks to the DRS endpoint it is given.
    settings = Settings().model_copy(update={**chosen, "sandbox": False, "runner_enabled": True})
    run_worker(settings)


def run_worker(settings: Settings, *, stop: threading.Event | None = None) -> None:
    """Run the container's runner until `stop` is set (default: SIGINT/SIGTERM), then drain."""
    from drorch.bootstrap import bootstrap, data_dir_held

    with data_dir_held(settings):
        _work(bootstrap(settings), settings, stop)


def _work(container: Any, settings: Settings, stop: threading.Event | None) -> None:
    """Run one built container's runner until stopped."""
    if not any(isinstance(w, Runner) for w in container.background):
        container.store.close()
        raise CliError(
            "DRS is switched off (DRORCH_DRS_ENABLED=false): a worker needs real DRS, "
            "--drs-endpoint-url or DRORCH_DRS_ENDPOINT_URL",
            EXIT_USAGE,
        )
    stop = stop or _stop_on_signals()
    container.start()
    note(f"worker running on {settings.db_path}; Ctrl-C stops it")
    try:
        while not stop.wait(0.5):
            pass
    finally:
        container.stop()
    note("worker stopped")


def _stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM, so the wait loop ends and the runner drains."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop
