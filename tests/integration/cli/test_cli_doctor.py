"""`drorch doctor`: over the API and on a data dir, with its exit codes."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli.conftest import Cli
from tests.support.builders import server
from tests.support.server import seed_servers


def test_doctor_over_the_api_exits_1_when_a_check_fails(cli: Cli) -> None:
    outcome = cli("doctor", "--json")
    assert outcome.exit_code == 1  # the shared inventory has STALLED servers
    found = outcome.json()
    assert found["status"] == "fail"
    assert {c["name"] for c in found["checks"] if c["status"] == "fail"} >= {"replication"}


def test_doctor_on_a_healthy_data_dir_exits_0_with_a_table(cli: Cli, tmp_path: Path) -> None:
    seed_servers(tmp_path, [server(1)])
    outcome = cli("doctor", "--data-dir", str(tmp_path), api_url=None)
    assert outcome.exit_code == 0, outcome.stderr
    assert "replication" in outcome.stdout
    assert "doctor: ok" in outcome.stderr


def test_doctor_on_a_data_dir_with_stalled_replication_exits_1(cli: Cli, tmp_path: Path) -> None:
    seed_servers(tmp_path, [server(1, hostname="db-1", replication_state="DISCONNECTED")])
    outcome = cli("doctor", "--data-dir", str(tmp_path), "--json", api_url=None)
    assert outcome.exit_code == 1
    replication = next(c for c in outcome.json()["checks"] if c["name"] == "replication")
    assert replication["status"] == "fail"
    assert "db-1" in replication["message"]
