"""Run `drorch` commands in-process (Typer's CliRunner) against the module's real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from tests.support.server import RunningServer


@dataclass(frozen=True)
class Outcome:
    """What one command did."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as one JSON document."""
        return json.loads(self.stdout)

    def error_line(self) -> str:
        """The single stderr line of a failed command."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, f"expected one stderr line, got: {self.stderr!r}"
        assert lines[0].startswith("error: "), lines[0]
        return lines[0]


Cli = Callable[..., Outcome]


@pytest.fixture(scope="session")
def cli(api: RunningServer) -> Cli:
    """Run `drorch <args> --api-url <server>` signed in; api_url=None leaves the option out.

    A test of another server passes it as `server`, so the token is that server's.
    """
    runner = CliRunner()

    def run(
        *args: str,
        input: str | None = None,
        api_url: str | None = api.base_url,
        server: RunningServer = api,
    ) -> Outcome:
        argv = [*args, "--api-url", api_url] if api_url else list(args)
        env = {"DRORCH_TOKEN": server.token}  # signed in as that server's admin
        result = runner.invoke(app, argv, input=input, env=env, catch_exceptions=False)
        return Outcome(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file for `-f` into the test's temp dir."""

    def create(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        return path

    return create
