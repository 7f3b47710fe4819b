"""`drorch serve` processes for browser tests: with the DRS sandbox, or with seeded rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx

from drorch.domain.identity import Role
from tests.support.server import ADMIN, RunningServer, api_client, ensure_user, running_server

OPERATOR = "operator"

# Sandbox seconds per real second: the demo fleet's jobs take minutes of sandbox time.
TIME_SCALE = "300"


@contextmanager
def sandbox_server(data_dir: Path) -> Iterator[RunningServer]:
    """`drorch serve --sandbox` (demo fleet, scaled clock) on a free 127.0.0.1 port."""
    with running_server(data_dir, args=["--sandbox", "--time-scale", TIME_SCALE]) as server:
        yield with_operator(server)


def with_operator(server: RunningServer) -> RunningServer:
    """The server with an `operator` user besides its admin; both are in `server.users`."""
    operator = ensure_user(server.data_dir, OPERATOR, Role.OPERATOR)
    return replace(server, users={ADMIN: server.admin, OPERATOR: operator})


def api(server: RunningServer) -> httpx.Client:
    """An HTTP client for the server's API (answers checked against its OpenAPI)."""
    return api_client(server, timeout=10.0)
