"""`drorch serve` processes for browser tests: with the DRS sandbox, or with seeded rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support.server import RunningServer, api_client, running_server

# Sandbox seconds per real second: the demo fleet's jobs take minutes of sandbox time.
TIME_SCALE = "300"


@contextmanager
def sandbox_server(data_dir: Path) -> Iterator[RunningServer]:
    """`drorch serve --sandbox` (demo fleet, scaled clock) on a free 127.0.0.1 port."""
    with running_server(data_dir, args=["--sandbox", "--time-scale", TIME_SCALE]) as server:
        yield server


def api(server: RunningServer) -> httpx.Client:
    """An HTTP client for the server's API."""
    return api_client(server, timeout=10.0)
