"""Documented exit codes and one-line errors: bad files, no server, confirmations."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli.conftest import Cli
from tests.integration.conftest import unique_name
from tests.support.server import RunningServer, free_port, server_env

Write = Callable[[str, str | bytes], Path]

BAD_FILES = [
    ("broken.json", '{"name": "x",', "invalid JSON at line 1"),
    ("broken.yaml", "name: [unclosed", "invalid YAML at line"),
    ("tabs.yml", "name: x\n\tselection: {}\n", "invalid YAML"),
    ("list.yaml", "- a\n- b\n", "expected a mapping"),
    ("scalar.json", '"just a string"', "expected a mapping"),
    ("empty.yaml", "  \n", "is empty"),
    ("latin1.json", b'{"name": "caf\xe9"}', "not UTF-8"),
    ("sniffed", "{not json", "invalid JSON"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
@pytest.mark.parametrize("command", [("groups", "create"), ("plans", "create")])
def test_bad_file_is_exit_2_naming_the_file(
    cli: Cli, write: Write, name: str, content: str | bytes, message: str, command: tuple[str, str]
) -> None:
    path = write(name, content)
    out = cli(*command, "-f", str(path))
    assert out.exit_code == 2
    line = out.error_line()
    assert str(path) in line and message in line


@pytest.mark.parametrize(
    "args",
    [
        ("groups", "update", "some-group"),
        ("plans", "update", "some-plan"),
        ("plans", "validate"),
        ("groups", "preview"),
    ],
)
def test_missing_file_is_exit_2_on_every_file_command(
    cli: Cli, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "nope.yaml"
    out = cli(*args, "-f", str(missing))
    assert out.exit_code == 2
    assert f"{missing}: no such file" in out.error_line()


def test_directory_is_not_a_file(cli: Cli, tmp_path: Path) -> None:
    out = cli("groups", "create", "-f", str(tmp_path))
    assert out.exit_code == 2 and "is a directory" in out.error_line()


def test_stdin_document(cli: Cli) -> None:
    out = cli("plans", "create", "-f", "-", input="[1, 2]")
    assert out.exit_code == 2 and "<stdin>: expected a mapping" in out.error_line()


NO_SERVER_COMMANDS = [
    ("servers", "list"),
    ("servers", "sync"),
    ("groups", "list"),
    ("groups", "get", "x"),
    ("groups", "delete", "x", "--yes"),
    ("groups", "preview", "--account", "111122223333", "--region", "us-east-1", "--tag", "a=b"),
    ("plans", "list"),
    ("plans", "get", "x"),
    ("plans", "validate", "x"),
    ("plans", "delete", "x", "--yes"),
]


@pytest.mark.parametrize("args", NO_SERVER_COMMANDS, ids=" ".join)
def test_no_server_is_exit_3_telling_to_start_it(cli: Cli, args: tuple[str, ...]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    for extra in ((), ("--json",)):
        out = cli(*args, *extra, api_url=url)
        assert out.exit_code == 3
        assert "drorch serve" in out.error_line() and url in out.error_line()
        assert out.stdout == ""


def test_api_refusals_are_exit_1(cli: Cli) -> None:
    for args in (("groups", "get", "pg-000000000000"), ("plans", "get", "missing-plan")):
        out = cli(*args)
        assert out.exit_code == 1
        out.error_line()
    bad_sort = cli("groups", "list", "--sort", "colour")
    assert bad_sort.exit_code == 1 and "sort" in bad_sort.error_line()


USAGE_ERRORS = [
    (("groups", "list", "--bogus"), "No such option: --bogus (try 'drorch groups list --help')"),
    (("--bogus",), "No such option: --bogus (try 'drorch --help')"),
    (("groups", "get"), "Missing argument 'GROUP' (try 'drorch groups get --help')"),
    (("bogus",), "No such command 'bogus' (try 'drorch --help')"),
    (("groups", "list", "--limit", "many"), "Invalid value for '--limit'"),
    (("sandbox", "--clock", "sundial"), "--clock: use scaled or virtual"),
]


@pytest.mark.parametrize(
    ("args", "message"), USAGE_ERRORS, ids=[" ".join(u[0]) for u in USAGE_ERRORS]
)
def test_usage_errors_are_one_line_and_exit_2(
    cli: Cli, args: tuple[str, ...], message: str
) -> None:
    out = cli(*args, api_url=None)
    assert out.exit_code == 2 and out.stdout == ""
    assert message in out.error_line()


def test_usage_error_of_the_installed_command_is_one_line() -> None:
    drorch = Path(sys.executable).with_name("drorch")  # the console script beside python
    done = subprocess.run(
        [str(drorch), "groups", "list", "--bogus"],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "error: No such option: --bogus (try 'drorch groups list --help')\n"


def test_help_is_not_an_error(cli: Cli) -> None:
    for args in (("groups", "list", "--help"), ("--help",)):
        out = cli(*args, api_url=None)
        assert out.exit_code == 0 and out.stderr == ""
        assert "Usage: drorch" in out.stdout
    bare = cli("groups", api_url=None)  # a group alone shows its help, as Click does
    assert "Usage: drorch groups" in bare.stdout and "error" not in bare.stderr


def test_every_command_has_json_and_api_url(cli: Cli) -> None:
    commands = {
        "servers": ["list", "sync"],
        "groups": ["list", "get", "create", "update", "delete", "preview"],
        "plans": ["list", "get", "create", "update", "delete", "validate"],
    }
    for group, names in commands.items():
        for name in names:
            out = cli(group, name, "--help", api_url=None)
            assert out.exit_code == 0, (group, name)
            assert "--json" in out.stdout and "--api-url" in out.stdout, (group, name)


def run_on_a_terminal(args: list[str], answer: bytes, token: str) -> tuple[int, str]:
    """Run drorch signed in with `token`, stdin and stdout on a pseudo-terminal, answering."""
    leader, follower = pty.openpty()
    command = [sys.executable, "-c", "from drorch.cli.main import main; main()", *args]
    process = subprocess.Popen(
        command,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=server_env({"DRORCH_TOKEN": token}),
        close_fds=True,
    )
    os.close(follower)
    deadline = time.monotonic() + 30
    try:
        seen = _read_until(leader, process, deadline, b"[y/N]")
        os.write(leader, answer)
        seen += _read_until(leader, process, deadline, None)
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    return process.wait(timeout=10), seen.decode(errors="replace")


def _read_until(
    fd: int, process: subprocess.Popen[bytes], deadline: float, marker: bytes | None
) -> bytes:
    """What the terminal shows until `marker` appears or the process ends (bounded)."""
    seen = b""
    while time.monotonic() < deadline and (marker is None or marker not in seen):
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the terminal closes once the process has exited
                return seen
            if not chunk:
                return seen
            seen += chunk
        elif process.poll() is not None:
            return seen
    return seen


def test_delete_asks_on_a_terminal(
    api: RunningServer, make_group: Callable[..., dict[str, Any]], cli: Cli
) -> None:
    group = make_group(name=unique_name("tty"))
    args = ["groups", "delete", group["name"], "--api-url", api.base_url]
    code, screen = run_on_a_terminal(args, b"n\n", api.token)
    assert code == 1 and "not deleted" in screen
    assert cli("groups", "get", group["id"]).exit_code == 0
    code, screen = run_on_a_terminal(args, b"y\n", api.token)
    assert code == 0 and f"deleted protection group '{group['name']}'" in screen
    assert cli("groups", "get", group["id"]).exit_code == 1


def test_api_url_defaults_to_the_environment(
    cli: Cli, api: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRORCH_API_URL", api.base_url)
    out = cli("plans", "list", "--json", api_url=None)
    assert out.exit_code == 0, out.stderr
    monkeypatch.delenv("DRORCH_API_URL")
    monkeypatch.setenv("DRORCH_PORT", str(api.port))
    assert cli("plans", "list", "--json", api_url=None).exit_code == 0


def test_bad_setting_in_the_environment_is_a_usage_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DRORCH_API_URL", raising=False)
    monkeypatch.setenv("DRORCH_PORT", "eighty")
    out = cli("groups", "list", api_url=None)
    assert out.exit_code == 2 and "port" in out.error_line()


def test_a_byte_order_mark_is_tolerated(cli: Cli, write: Write) -> None:
    doc = write("bom.json", "\ufeff" + '{"name": ""}')
    out = cli("groups", "create", "-f", str(doc))
    assert out.exit_code == 1 and "422" in out.error_line()  # parsed; the API judged it
