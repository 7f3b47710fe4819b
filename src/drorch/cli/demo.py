"""`drorch demo`: server, embedded DRS sandbox, sample plans and a live drill in one process.

uvicorn serves in a background thread (it installs no signal handlers there), so Ctrl-C
reaches the main thread as KeyboardInterrupt wherever it is (following the drill or just
serving) and stops everything the same way.
"""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from drorch.cli.executions import execution_view
from drorch.cli.follow import EXECUTIONS, follow_execution, last_event_seq
from drorch.cli.http import ApiClient
from drorch.cli.output import EXIT_USAGE, CliError, console, note, reports_errors
from drorch.config import Settings

HOST = "127.0.0.1"
# The sample plan's three Linux waves take about 16 sandbox minutes: about a minute here.
DEFAULT_TIME_SCALE = 18.0
STOP_SECONDS = 10.0
ACTIVE = ("PENDING", "RUNNING", "PAUSED", "CANCELLING")


def register(app: typer.Typer) -> None:
    """Add the demo command to the root app."""
    app.command("demo")(demo)


@reports_errors
def demo(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8080,
    data_dir: Annotated[Path, typer.Option(help="Folder of the demo's data.")] = Path("data/demo"),
    time_scale: Annotated[
        float, typer.Option(min=0.001, help="Sandbox seconds per real second.")
    ] = DEFAULT_TIME_SCALE,
) -> None:
    """Serve drorch with a DRS sandbox, create sample plans, run a drill live; Ctrl-C stops."""
    settings = demo_settings(port=port, data_dir=data_dir, time_scale=time_scale)
    _check_port_free(port)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops like Ctrl-C
    server = DemoServer(settings)
    try:
        server.start()
        run_demo(server)
        server.wait()
    except KeyboardInterrupt:
        note("\nstopping the demo")
    finally:
        server.stop()


def demo_settings(*, port: int, data_dir: Path, time_scale: float) -> Settings:
    """Settings of the demo process: embedded sandbox with a state file, runner on."""
    return Settings().model_copy(
        update={
            "host": HOST,
            "port": port,
            "data_dir": data_dir,
            "sandbox": True,
            "sandbox_fleet": None,
            "sandbox_clock": "scaled",
            "sandbox_time_scale": time_scale,
            "sandbox_state_file": data_dir / "sandbox-state.json",
            "runner_enabled": True,
            "log_level": "WARNING",
        }
    )


class DemoServer:
    """The API, UI and sandbox served by uvicorn in a background thread."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from drorch.api.app import create_app
        from drorch.bootstrap import bootstrap

        self.settings = settings
        self.container = bootstrap(settings)
        config = uvicorn.Config(
            create_app(self.container),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            # Open event streams (a browser's live view) must not hold the shutdown forever.
            timeout_graceful_shutdown=3,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="drorch-demo-api", daemon=True)
        self.url = f"http://{settings.host}:{settings.port}"

    def start(self) -> None:
        """Start serving and wait until the server accepts connections."""
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise CliError(f"the demo server could not start on {self.url}")
            self.thread.join(0.05)

    def wait(self) -> None:
        """Serve until interrupted."""
        while self.thread.is_alive():
            self.thread.join(0.5)

    def stop(self) -> None:
        """Ask uvicorn to shut down (lifespan stops the runner and saves the sandbox)."""
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(STOP_SECONDS)


def run_demo(server: DemoServer) -> None:
    """Sync the inventory, ensure the samples, drill the sample plan live, then clean up."""
    from drorch.services import inventory, samples

    container = server.container
    assert container.drs is not None  # the demo always embeds the sandbox
    synced = inventory.sync_inventory(store=container.store, drs=container.drs)
    found = sum(int(str(s["servers"])) for s in synced.scopes)
    made = samples.ensure_samples(store=container.store)
    plan = samples.demo_plan(made)
    _banner(server.url, found, made)
    _unassigned(samples.unassigned_servers(store=container.store))
    if plan is None:
        raise CliError("the sandbox fleet yields no healthy sample plan to drill")
    with ApiClient(server.url) as client:
        final = _drill(client, plan.id, plan.name)
        _cleanup(client, final)
    out = console()
    out.print(f"demo drill finished: {final['status']}", markup=False)
    out.print(f"still serving {server.url}/ (API docs {server.url}/api/docs); Ctrl-C stops")


def _drill(client: ApiClient, plan_id: str, plan_name: str) -> dict[str, Any]:
    """Follow the plan's running execution (an earlier demo's), or start a new drill."""
    page = client.get(EXECUTIONS, params={"plan_id": plan_id, "limit": 20}).data
    running = [e for e in page["items"] if e["status"] in ACTIVE]
    if running:
        execution = running[0]
        note(f"following the {execution['type']} {execution['id']} already running")
    else:
        body = {"plan_id": plan_id, "type": "DRILL"}
        execution = client.post(EXECUTIONS, body).data
        note(f"started DRILL {execution['id']} of sample plan {plan_name!r}")
    final = follow_execution(client, execution["id"])
    console().print(execution_view(final))
    return final


def _cleanup(client: ApiClient, execution: dict[str, Any]) -> None:
    """Terminate the drill's recovery instances, as an operator would after a drill."""
    if execution["type"] != "DRILL" or execution["cleanup_status"] != "NOT_STARTED":
        return
    note(f"cleaning up: terminating the recovery instances of {execution['id']}")
    path = f"{EXECUTIONS}/{execution['id']}"
    seen = last_event_seq(client, execution["id"])
    client.post(f"{path}/terminate-instances")
    done = follow_execution(client, execution["id"], after_seq=seen)
    note(f"cleanup {done['cleanup_status']}")


def _banner(url: str, servers: int, made: Any) -> None:
    out = console()
    out.print(f"drorch demo: UI {url}/   API docs {url}/api/docs", markup=False)
    out.print(f"DRS sandbox at {url}/sandbox/drs with {servers} source servers", markup=False)
    names = ", ".join(p.name for p in made.plans) or "none"
    out.print(f"sample recovery plans: {names} (new: {len(made.created)})", markup=False)


def _unassigned(servers: list[Any]) -> None:
    """Point a new user at the servers no sample group holds: theirs to group."""
    if not servers:
        return
    names = ", ".join(sorted(s.hostname for s in servers)[:5])
    console().print(
        f"{len(servers)} source server(s) in no group yet ({names}): "
        "make a group of your own (drorch servers list --unassigned)",
        markup=False,
    )


def _check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind((HOST, port))
        except OSError:
            raise CliError(f"port {port} on {HOST} is in use: pass --port", EXIT_USAGE) from None
