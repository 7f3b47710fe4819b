"""The README's CLI and curl examples, run as written against a server set up like the demo."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.services import samples
from tests.support.server import RunningServer, api_client, running_server

README = Path(__file__).resolve().parents[3] / "README.md"
DEMO_URL = "http://127.0.0.1:8080"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _blocks(kind: str) -> list[str]:
    return [body for lang, body in FENCE.findall(README.read_text()) if lang == kind]


def _files() -> dict[str, str]:
    """YAML examples whose first line names their file (`# intranet-web.yaml`)."""
    found = {}
    for body in _blocks("yaml"):
        first = body.splitlines()[0]
        if first.startswith("# ") and first.endswith(".yaml"):
            found[first[2:]] = body
    return found


def _demo_commands() -> list[str]:
    """The block of commands the README says work as written with the demo running."""
    text = README.read_text()
    start = text.index("With `drorch demo` running, these work as written")
    return FENCE.search(text, start).group(2).strip().splitlines()  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`drorch serve --sandbox` with the demo fleet, synced, holding the demo's samples."""
    with running_server(tmp_path_factory.mktemp("readme"), args=["--sandbox"]) as server:
        with api_client(server) as http:
            assert http.post("/api/v1/source-servers/sync").status_code == 200
        store = server.store()
        try:
            made = samples.ensure_samples(store=store)
        finally:
            store.close()
        assert made.plans and not made.skipped
        yield server


def test_the_demo_samples_leave_the_intranet_unassigned(demo: RunningServer) -> None:
    """Runs before the README example groups them (tests run in file order)."""
    with api_client(demo) as http:
        free = http.get("/api/v1/source-servers", params={"assigned": "false"}).json()
        held = http.get("/api/v1/source-servers", params={"assigned": "true", "limit": 500})
    assert {s["hostname"] for s in free["items"]} == {
        "intra-web-e01",
        "intra-web-e02",
        "intra-db-e01",
    }
    assert len(held.json()["items"]) == 30


def _curl(server: RunningServer, command: str) -> Any:
    """Send what a README curl line asks for through the tests' one API client."""
    args = shlex.split(command)[1:]
    method, headers, body, url = "GET", {}, None, ""
    while args:
        arg = args.pop(0)
        if arg == "-s":
            continue
        if arg == "-X":
            method = args.pop(0)
        elif arg == "-H":
            key, value = args.pop(0).split(": ", 1)
            headers[key] = value.replace("$DRORCH_TOKEN", server.token)
        elif arg == "-d":
            body = args.pop(0)
        else:
            assert arg.startswith(DEMO_URL), f"unexpected curl argument {arg!r}"
            url = arg[len(DEMO_URL) :]
    with api_client(server) as http:
        return http.request(method, url, headers=headers, content=body)


def test_every_demo_example_of_the_readme_works_as_written(
    demo: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, body in _files().items():
        (tmp_path / name).write_text(body)
    monkeypatch.chdir(tmp_path)
    commands = _demo_commands()
    assert any(c.startswith("drorch groups create") for c in commands)
    runner = CliRunner()
    # The sign-in lines are tested in test_cli_login.py; here the admin's token stands in.
    assert commands[0].startswith("drorch login ") and commands[1].startswith("export ")
    for command in commands[2:]:
        if command.startswith("curl "):
            response = _curl(demo, command)
            assert response.status_code == 200, (command, response.text)
            assert "warnings" not in response.json() or response.json()["warnings"] == []
            continue
        argv = [*shlex.split(command)[1:], "--api-url", demo.base_url]
        # As the README says: sign in once (`drorch login`), or export DRORCH_TOKEN.
        result = runner.invoke(app, argv, env={"DRORCH_TOKEN": demo.token})
        assert result.exit_code == 0, (command, result.stdout, result.stderr)
        assert "warning:" not in result.stderr, (command, result.stderr)
    with api_client(demo) as http:
        groups = http.get("/api/v1/protection-groups", params={"search": "intranet"}).json()
    members = {g["name"]: len(g["member_server_ids"]) for g in groups["items"]}
    assert members == {"intranet-db": 1, "intranet-web": 2}
