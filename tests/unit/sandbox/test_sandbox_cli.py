"""`drorch sandbox` refuses bad options before serving anything."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from drorch.cli.main import app


def test_unknown_clock_mode_is_refused() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--clock", "sideways"])
    assert result.exit_code == 2
    assert "scaled or virtual" in result.output


def test_bad_fleet_is_refused_with_the_reason(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("accounts: []\n")
    result = CliRunner().invoke(app, ["sandbox", "--fleet", str(fleet)])
    assert result.exit_code == 2
    assert "invalid fleet" in result.output


def test_serve_and_sandbox_commands_offer_the_sandbox_options() -> None:
    serve_help = CliRunner().invoke(app, ["serve", "--help"]).output
    for option in ("--sandbox", "--fleet", "--time-scale", "--state-file"):
        assert option in serve_help
    sandbox_help = CliRunner().invoke(app, ["sandbox", "--help"]).output
    for option in ("--host", "--port", "--fleet", "--clock", "--time-scale", "--state-file"):
        assert option in sandbox_help
