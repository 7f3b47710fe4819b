"""Run a real `drorch serve` subprocess on a free 127.0.0.1 port for integration tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from drorch.adapters.identity.local import Argon2Passwords
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.domain.inventory import SourceServer
from drorch.services import users
from drorch.services.audit import CLI_AUDIT
from tests.support.builders import register_accounts
from tests.support.openapi_check import check_response

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
# Runs the console entry point without depending on where the script was installed.
ENTRY = "from drorch.cli.main import main; main()"
ADMIN = "admin"
# A whole session shares one server and its sign-in, so its access token must outlive it.
# No real AWS here: DRS is off unless a test serves a sandbox or names an endpoint.
TEST_ENV = {
    "DRORCH_ACCESS_TOKEN_MINUTES": "600",
    "DRORCH_DRS_ENABLED": "false",
    # The embedded moto of `serve --sandbox` costs seconds; tests of the actions turn it on.
    "DRORCH_SANDBOX_AWS": "false",
}


@dataclass(frozen=True)
class Credentials:
    """A username and the password it signs in with."""

    username: str
    password: str


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it answers, where its data and log live, its process."""

    base_url: str
    port: int
    data_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    admin: Credentials
    token: str = ""
    users: Mapping[str, Credentials] = field(default_factory=dict)  # more signed-up users

    @property
    def auth_headers(self) -> dict[str, str]:
        """The Authorization header of the admin's session."""
        return {"Authorization": f"Bearer {self.token}"}

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr)."""
        return self.log_path.read_text(errors="replace")

    def store(self) -> SqliteStore:
        """A second connection to the server's database, to check what it wrote."""
        return open_store(self.data_dir)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def db_path(data_dir: Path) -> Path:
    """The SQLite file `drorch serve --data-dir data_dir` uses."""
    path: Path = Settings(data_dir=data_dir).db_path
    return path


def open_store(data_dir: Path) -> SqliteStore:
    """The SQLite store of a data dir (created and migrated when new)."""
    return SqliteStore(db_path(data_dir))


def seed_servers(data_dir: Path, servers: Iterable[SourceServer]) -> None:
    """Put inventory rows into a data dir, before or while a server uses it."""
    store = open_store(data_dir)
    try:
        with store.transaction() as uow:
            uow.servers.upsert_many(servers)
    finally:
        store.close()


def register_test_accounts(data_dir: Path) -> None:
    """Register the accounts tests put groups in, through the accounts service."""
    store = open_store(data_dir)
    try:
        register_accounts(store)
    finally:
        store.close()


def server_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a test server: ours without DRORCH_* settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(TEST_ENV)
    env.update(extra or {})
    return env


def ensure_user(
    data_dir: Path, username: str, role: Role, password: str | None = None
) -> Credentials:
    """Create (or reset the password of) a user in a data dir, as `drorch users add` does."""
    password = password or f"pw-{secrets.token_urlsafe(12)}"
    store = open_store(data_dir)
    passwords = Argon2Passwords()
    try:
        with store.read() as uow:
            existing = uow.users.find_by_username(username)
        if existing is None:
            users.create_user(
                store=store,
                passwords=passwords,
                audit=CLI_AUDIT,
                username=username,
                password=password,
                role=role,
            )
        else:
            users.reset_password(
                store=store,
                passwords=passwords,
                audit=CLI_AUDIT,
                user_id=existing.id,
                password=password,
            )
    finally:
        store.close()
    return Credentials(username, password)


def sign_in(base_url: str, credentials: Credentials) -> str:
    """Sign in over HTTP like a user would; the access token."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": credentials.username, "password": credentials.password},
        timeout=30.0,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@contextmanager
def running_server(
    data_dir: Path,
    *,
    args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    port: int | None = None,
    start_timeout: float = START_TIMEOUT,
    accept_unhealthy: bool = False,
) -> Iterator[RunningServer]:
    """Start `drorch serve` on `data_dir`, wait for /health, yield it, then stop it.

    `accept_unhealthy` counts a 503 from /health as started (for tests of broken DRS).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    admin = ensure_user(data_dir, ADMIN, Role.ADMIN)
    register_test_accounts(data_dir)
    port = port or free_port()
    log_path = data_dir / f"serve-{port}.log"
    command = [sys.executable, "-c", ENTRY, "serve", "--host", HOST, "--port", str(port)]
    command += ["--data-dir", str(data_dir), *args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=server_env(env), cwd=data_dir
        )
    server = RunningServer(f"http://{HOST}:{port}", port, data_dir, log_path, process, admin)
    try:
        wait_healthy(server, start_timeout, accept=(200, 503) if accept_unhealthy else (200,))
        yield replace(server, token=sign_in(server.base_url, admin))
    finally:
        stop(process)


def wait_healthy(server: RunningServer, timeout: float, accept: tuple[int, ...] = (200,)) -> None:
    """Poll GET /health until it answers an accepted status; fail with the server log."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"drorch serve exited with {server.process.returncode}:\n{server.log()}"
            )
        try:
            response = httpx.get(f"{server.base_url}/health", timeout=2.0)
            if response.status_code in accept:
                return
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(0.05)
    raise RuntimeError(f"drorch serve was not healthy within {timeout}s ({last}):\n{server.log()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


def api_client(
    server: RunningServer,
    *,
    timeout: float | httpx.Timeout = 30.0,
    token: str | None = None,
    local_address: str | None = None,
) -> httpx.Client:
    """An HTTP client for a running server's API, signed in (as the admin unless `token`).

    Each answer it receives is checked against the server's OpenAPI document;
    `local_address` (e.g. 127.0.0.2) makes the client a different client address.
    """
    return client_for(
        server.base_url, token or server.token, timeout=timeout, local_address=local_address
    )


def client_for(
    base_url: str,
    token: str,
    *,
    timeout: float | httpx.Timeout = 30.0,
    local_address: str | None = None,
) -> httpx.Client:
    """An HTTP client sending `token`, its answers checked against the OpenAPI document."""
    transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
    return httpx.Client(
        base_url=base_url,
        timeout=timeout,
        transport=transport,
        headers={"Authorization": f"Bearer {token}"},
        event_hooks={"request": [_json_type], "response": [check_response]},
    )


MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _json_type(request: httpx.Request) -> None:
    # The API wants a JSON content type on every state-changing request, body or not,
    # as the CLI and the UI send it; a test that sends another type sets it itself.
    if request.method in MUTATING and "content-type" not in request.headers:
        request.headers["Content-Type"] = "application/json"


@contextmanager
def sandbox_process(folder: Path, fleet: dict[str, Any], *, time_scale: float) -> Iterator[str]:
    """`drorch sandbox` in its own process on scaled time, keeping its state in a file."""
    path = folder / "fleet.yaml"
    path.write_text(json.dumps(fleet))
    port = free_port()
    command = [sys.executable, "-c", ENTRY, "sandbox", "--host", HOST, "--port", str(port)]
    command += ["--fleet", str(path), "--clock", "scaled", "--time-scale", str(time_scale)]
    command += ["--state-file", str(folder / "sandbox-state.json")]
    with (folder / "sandbox.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=server_env())
    url = f"http://{HOST}:{port}"
    try:
        _wait_answering(f"{url}/_sandbox/stats", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the sandbox exited"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("the sandbox did not start")
