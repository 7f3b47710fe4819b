"""`drorch serve --store dynamodb --sandbox` against moto server: a drill through the API."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from drorch.adapters.identity.local import Argon2Passwords
from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.cli.main import app
from drorch.config import Settings
from drorch.domain.identity import Role
from drorch.services import users
from drorch.services.audit import CLI_AUDIT
from tests.integration.executions.conftest import EXECUTIONS, WAIT_LIMIT, sample_groups
from tests.support.builders import register_accounts
from tests.support.moto_server import RunningMoto, running_moto
from tests.support.server import (
    ENTRY,
    HOST,
    Credentials,
    RunningServer,
    api_client,
    free_port,
    server_env,
    sign_in,
    stop,
    wait_healthy,
)

PREFIX = "serve-trial"
AWS_KEYS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with running_moto(tmp_path_factory.mktemp("moto-serve")) as server:
        yield server


def _admin(moto: RunningMoto) -> Credentials:
    """The first admin and the test accounts, written into the DynamoDB table as the CLI does."""
    store = DynamoStore(moto.client("dynamodb"), prefix=PREFIX)
    users.create_user(
        store=store,
        passwords=Argon2Passwords(),
        audit=CLI_AUDIT,
        username="admin",
        password="pw-dynamo-admin",
        role=Role.ADMIN,
    )
    register_accounts(store)
    return Credentials("admin", "pw-dynamo-admin")


@pytest.fixture(scope="module")
def server(moto: RunningMoto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    admin = _admin(moto)
    data_dir = tmp_path_factory.mktemp("serve-dynamodb")
    port = free_port()
    env = {
        **AWS_KEYS,
        "DRORCH_DYNAMODB_ENDPOINT_URL": moto.url,
        "DRORCH_DYNAMODB_TABLE_PREFIX": PREFIX,
    }
    command = [sys.executable, "-c", ENTRY, "serve", "--host", HOST, "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--store", "dynamodb", "--sandbox"]
    command += ["--time-scale", "3000"]
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=server_env(env), cwd=data_dir
        )
    running = RunningServer(f"http://{HOST}:{port}", port, data_dir, log_path, process, admin)
    try:
        wait_healthy(running, 60.0)
        yield RunningServer(
            running.base_url,
            port,
            data_dir,
            log_path,
            process,
            admin,
            sign_in(running.base_url, admin),
        )
    finally:
        stop(process)


def test_a_drill_runs_to_completed_with_every_record_in_dynamodb(
    server: RunningServer, moto: RunningMoto
) -> None:
    with api_client(server) as http:
        assert http.post("/api/v1/source-servers/sync").status_code == 200
        group = sample_groups(http)["payroll-us-west-2-db"]
        body = {"name": "on-dynamodb", "waves": [{"name": "db", "protection_group_ids": [group]}]}
        plan = http.post("/api/v1/recovery-plans", json=body)
        assert plan.status_code == 201, plan.text
        # Held: an automatic cleanup at once would race the check of LAUNCHED servers below.
        start = {"plan_id": plan.json()["id"], "type": "DRILL", "cleanup_after_minutes": "keep"}
        started = http.post(EXECUTIONS, json=start)
        assert started.status_code == 201, started.text
        execution_id = started.json()["id"]
        deadline = time.monotonic() + WAIT_LIMIT
        status = started.json()["status"]
        while status not in ("COMPLETED", "PARTIAL", "FAILED", "CANCELLED"):
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.1)
            status = http.get(f"{EXECUTIONS}/{execution_id}").json()["status"]
    assert status == "COMPLETED", server.log()
    # Nothing went to a SQLite file: the execution is read back from the table directly.
    assert not list(server.data_dir.glob("*.db"))
    store = DynamoStore(moto.client("dynamodb"), prefix=PREFIX, create=False)
    with store.read() as uow:
        stored = uow.executions.get(execution_id)
        assert uow.plans.find_by_name("on-dynamodb") is not None
    assert stored is not None and stored.status == "COMPLETED"
    assert all(s.status == "LAUNCHED" for w in stored.waves for s in w.servers), stored


def test_store_is_chosen_by_setting_and_an_unknown_one_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRORCH_STORE", "dynamodb")
    monkeypatch.setenv("DRORCH_DYNAMODB_TABLE_PREFIX", "team-a")
    settings = Settings()
    assert (settings.store, settings.dynamodb_table_prefix) == ("dynamodb", "team-a")
    assert settings.dynamodb_endpoint_url is None
    result = CliRunner().invoke(app, ["serve", "--store", "mongodb"])
    assert result.exit_code == 2
    assert "use sqlite or dynamodb" in result.output
