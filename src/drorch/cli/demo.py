"""`drorch demo`: server, embedded DRS sandbox, sample plans and a live drill in one process.

uvicorn serves in a background thread (it installs no signal handlers there), so Ctrl-C
reaches the main thread as KeyboardInterrupt wherever it is (following the drill or just
serving) and stops everything the same way.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drorch.bootstrap import Container, readiness_ports
from drorch.cli.execution_views import execution_view
from drorch.cli.follow import EXECUTIONS, follow_execution, last_event_seq
from drorch.cli.http import ApiClient
from drorch.cli.output import EXIT_USAGE, CliError, console, note, reports_errors
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.domain.users import User, principal_of
from drorch.services.audit import CLI_AUDIT, AuditContext

if TYPE_CHECKING:  # imported when used: the demo starts before anything it does not need
    from drorch.services.demo_runbooks import Runbooks

HOST = "127.0.0.1"
# The sample plan's three Linux waves take about 16 sandbox minutes: about a minute here.
DEFAULT_TIME_SCALE = 18.0
STOP_SECONDS = 10.0
ACTIVE = ("PENDING", "RUNNING", "PAUSED", "CANCELLING")
USERS_FILE = "demo-users.txt"
ADMIN = "demo-admin"
SEED_WAIT = 60.0  # seconds: the embedded moto is seeded in the background at start


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
    made = samples.ensure_samples(store=container.store, hub_accounts=container.hub_accounts())
    plan = samples.demo_plan(made)
    _banner(server.url, found, made)
    _print_runbooks(example_runbooks(container, server.url))
    _unassigned(samples.unassigned_servers(store=container.store))
    if plan is None:
        raise CliError("the sandbox fleet yields no healthy sample plan to drill")
    admin, password = demo_users(container, server.settings.data_dir)
    _schedules(container, admin, plan)
    with ApiClient(server.url, token=_access_token(container, admin, password)) as client:
        final = _drill(client, container, admin, plan.id, plan.name)
        _cleanup(client, final)
        _reports(client, final["id"], server.settings.data_dir)
    out = console()
    out.print(f"demo drill finished: {final['status']}", markup=False)
    out.print(f"still serving {server.url}/ (API docs {server.url}/api/docs); Ctrl-C stops")


def _drill(
    client: ApiClient, container: Container, admin: User, plan_id: str, plan_name: str
) -> dict[str, Any]:
    """Follow the plan's running execution (an earlier demo's), or start a new drill."""
    from drorch.services import executions

    page = client.get(EXECUTIONS, params={"plan_id": plan_id, "limit": 20}).data
    running = [e for e in page["items"] if e["status"] in ACTIVE]
    if running:
        execution_id = running[0]["id"]
        note(f"following the {running[0]['type']} {execution_id} already running")
    else:
        started = executions.start_execution(
            store=container.store,
            drs=container.drs,
            request=executions.StartRequest(plan_id_or_name=plan_id, type="DRILL"),
            audit=AuditContext(principal_of(admin), comment="the demo's drill"),
            waker=container.waker,
            clock=container.clock,
            config=container.engine_config,
            ports=readiness_ports(container),
        )
        execution_id = started.id
        note(f"started DRILL {execution_id} of sample plan {plan_name!r} as {admin.username}")
    final = follow_execution(client, execution_id)
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


def _schedules(container: Container, admin: User, plan: Any) -> None:
    """A weekly drill (Saturday 06:00) and a readiness run every 30 minutes, as the admin."""
    from drorch.services.sample_schedules import ensure_sample_schedules

    made = ensure_sample_schedules(
        store=container.store, plan=plan, audit=AuditContext(principal_of(admin))
    )
    names = ", ".join(made) if made else "kept from an earlier demo"
    console().print(f"sample schedules: {names} (drorch schedules list)", markup=False)


def _reports(client: ApiClient, execution_id: str, data_dir: Path) -> None:
    """Save the drill's report, HTML and PDF, in the data dir (`drorch exec report` does too)."""
    folder = data_dir / "reports"
    folder.mkdir(exist_ok=True)
    for fmt in ("html", "pdf"):
        body, _ = client.download(f"{EXECUTIONS}/{execution_id}/report", params={"format": fmt})
        (folder / f"{execution_id}.{fmt}").write_bytes(body)
    note(f"drill report: {folder / execution_id}.html and .pdf")


def demo_users(container: Container, data_dir: Path) -> tuple[User, str]:
    """One demo user per role (passwords kept from an earlier run); returns the admin."""
    from drorch.services import users

    assert container.auth is not None
    known = _read_users_file(data_dir / USERS_FILE)
    made: dict[str, str] = {}
    for role in Role:
        name = f"demo-{role.value.replace('_', '-')}"
        made[name] = _demo_user(container, name, role, known.get(name))
    _write_users_file(data_dir / USERS_FILE, made)
    out = console()
    out.print(f"demo users (also in {data_dir / USERS_FILE}):", markup=False)
    for name, password in made.items():
        out.print(f"  {name:<24} {password}", markup=False)
    return users.get_user(store=container.store, user_id=ADMIN), made[ADMIN]


def _demo_user(container: Container, name: str, role: Role, password: str | None) -> str:
    """Make sure the user exists and signs in with the returned password."""
    from drorch.services import users

    assert container.auth is not None
    passwords = container.auth.passwords
    with container.store.read() as uow:
        existing = uow.users.find_by_username(name)
    if existing is not None and password is not None:
        return password
    password = secrets.token_urlsafe(12)
    if existing is None:
        users.create_user(
            store=container.store,
            passwords=passwords,
            audit=CLI_AUDIT,
            username=name,
            password=password,
            role=role,
            display_name=f"Demo {role.value.replace('_', ' ')}",
        )
    else:
        users.reset_password(
            store=container.store,
            passwords=passwords,
            audit=CLI_AUDIT,
            user_id=existing.id,
            password=password,
        )
    return password


def _read_users_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    pairs = (line.split(None, 1) for line in path.read_text().splitlines() if line.strip())
    return {p[0]: p[1].strip() for p in pairs if len(p) == 2 and not p[0].startswith("#")}


def _write_users_file(path: Path, made: dict[str, str]) -> None:
    """The demo's passwords in a file only its owner can read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("# drorch demo users: username password\n")
        out.writelines(f"{name} {password}\n" for name, password in made.items())
    path.chmod(0o600)  # O_CREAT's mode applies only to a new file


def _access_token(container: Container, admin: User, password: str) -> str:
    """Sign the demo admin in, for following the drill over the API like the CLI does."""
    from drorch.services import auth

    assert container.auth is not None
    session = auth.sign_in(
        store=container.store,
        auth=container.auth,
        audit=AuditContext(principal=None, client="drorch demo"),
        username=admin.username,
        password=password,
    )
    return session.access_token


def _banner(url: str, servers: int, made: Any) -> None:
    out = console()
    out.print(f"drorch demo: UI {url}/   API docs {url}/api/docs", markup=False)
    out.print(f"DRS sandbox at {url}/sandbox/drs with {servers} source servers", markup=False)
    names = ", ".join(p.name for p in made.plans) or "none"
    out.print(f"sample recovery plans: {names} (new: {len(made.created)})", markup=False)


def example_runbooks(container: Container, url: str) -> Runbooks | None:
    """The two example runbook plans, once the embedded AWS is seeded (they name its ids).

    `url` is where this process serves the API (the standby API's stand-in is under it).
    None when the embedded AWS is off or its seed failed.
    """
    from drorch.api.app import SANDBOX_MOUNT
    from drorch.sandbox.standby_api import PATH
    from drorch.services.demo_runbooks import ensure_runbooks

    moto = container.aws_endpoint
    if moto is None or not moto.seeded.wait(SEED_WAIT) or moto.seed_error is not None:
        return None
    return ensure_runbooks(
        store=container.store,
        seeded=container.sandbox_app.state.sandbox.aws_seeded,
        standby_check_url=f"{url}{SANDBOX_MOUNT}{PATH}",
    )


def _print_runbooks(made: Runbooks | None) -> None:
    if made is None:
        note("example runbook plans skipped: the embedded AWS is off or was not seeded")
        return
    out = console()
    names = ", ".join(p.name for p in made.plans) or "none"
    counts = f"new: {len(made.created)}, updated: {len(made.updated)}"
    out.print(f"example runbook plans: {names} ({counts})", markup=False)
    if made.plans:
        first = made.plans[0].name
        out.print(f"  drill one: drorch exec start {first!r} --follow", markup=False)


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
