"""DynamoDB backups and point-in-time restores of the store, against moto server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.adapters.storage.dynamodb.backup import DynamoBackups
from drorch.cli.main import app
from drorch.domain.common import utcnow
from drorch.domain.groups import ProtectionGroup, Selection
from drorch.errors import BackupError
from drorch.services import table_backup
from drorch.services.scheduled_backup import ScheduledTableBackups
from tests.support.moto_server import RunningMoto, running_moto

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with running_moto(tmp_path_factory.mktemp("moto-backup")) as server:
        yield server


@pytest.fixture(scope="module")
def client(moto: RunningMoto) -> Any:
    return moto.client("dynamodb")


def stored_group(client: Any, prefix: str, name: str) -> DynamoStore:
    """A store under `prefix` holding one protection group called `name`."""
    store = DynamoStore(client, prefix=prefix)
    now = utcnow()
    group = ProtectionGroup(
        id=f"pg-{name}",
        name=name,
        account_id="123456789012",
        region="us-east-1",
        selection=Selection(server_ids=["s-1"]),
        created_at=now,
        updated_at=now,
    )
    with store.transaction() as uow:
        uow.groups.add(group)
    return store


def group_names(client: Any, prefix: str) -> list[str]:
    store = DynamoStore(client, prefix=prefix, create=False)
    with store.read() as uow:
        return [g.name for g in uow.groups.all()]


def test_a_backup_restores_into_new_tables_that_a_store_then_reads(
    client: Any, tmp_path: Path
) -> None:
    stored_group(client, "bk-src", "web")
    backups = DynamoBackups(client, "bk-src")
    manifest_path = tmp_path / "backup.json"
    manifest = table_backup.backup_tables(backups=backups, to=manifest_path, now=NOW)
    assert manifest["format"] == table_backup.FORMAT and manifest["table_prefix"] == "bk-src"
    [entry] = manifest["backups"]
    assert entry["table"] == "bk-src-store" and entry["backup_arn"].startswith("arn:aws:dynamodb:")
    assert json.loads(manifest_path.read_text()) == manifest
    # A change after the backup is not in what it restores.
    with DynamoStore(client, prefix="bk-src").transaction() as uow:
        uow.groups.delete("pg-web", expected_version=None)
    restored = table_backup.restore_tables(
        backups=backups, manifest_path=manifest_path, prefix="bk-new"
    )
    assert restored["restored_to"] == ["bk-new-store"]
    assert group_names(client, "bk-new") == ["web"]
    assert group_names(client, "bk-src") == []


def test_a_restore_refuses_the_store_s_own_prefix_and_tables_that_exist(
    client: Any, tmp_path: Path
) -> None:
    stored_group(client, "bk-own", "db")
    stored_group(client, "bk-taken", "other")
    backups = DynamoBackups(client, "bk-own")
    path = tmp_path / "b.json"
    table_backup.backup_tables(backups=backups, to=path, now=NOW)
    with pytest.raises(BackupError, match="other than the store's own"):
        table_backup.restore_tables(backups=backups, manifest_path=path, prefix="bk-own")
    with pytest.raises(BackupError, match="already exist: bk-taken-store"):
        table_backup.restore_tables(backups=backups, manifest_path=path, prefix="bk-taken")
    assert group_names(client, "bk-taken") == ["other"]  # untouched


def test_a_manifest_naming_a_deleted_backup_restores_nothing(client: Any, tmp_path: Path) -> None:
    stored_group(client, "bk-del", "app")
    backups = DynamoBackups(client, "bk-del")
    path = tmp_path / "b.json"
    manifest = table_backup.backup_tables(backups=backups, to=path, now=NOW)
    client.delete_backup(BackupArn=manifest["backups"][0]["backup_arn"])
    with pytest.raises(BackupError, match="backups not available"):
        table_backup.restore_tables(backups=backups, manifest_path=path, prefix="bk-del2")
    assert not backups.exists("bk-del2-store")


def test_bad_manifests_are_refused_with_what_is_wrong(client: Any, tmp_path: Path) -> None:
    backups = DynamoBackups(client, "bk-bad")
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    with pytest.raises(BackupError, match="not a DynamoDB backup manifest"):
        table_backup.restore_tables(backups=backups, manifest_path=junk, prefix="x")
    junk.write_text(json.dumps({"format": table_backup.FORMAT, "backups": []}))
    with pytest.raises(BackupError, match="names no backups"):
        table_backup.restore_tables(backups=backups, manifest_path=junk, prefix="x")
    with pytest.raises(BackupError, match="does not exist"):
        table_backup.restore_tables(
            backups=backups, manifest_path=tmp_path / "missing.json", prefix="x"
        )


def test_point_in_time_needs_pitr_on_then_restores_the_latest_state(client: Any) -> None:
    stored_group(client, "bk-pitr", "api")
    backups = DynamoBackups(client, "bk-pitr")
    with pytest.raises(BackupError, match="point-in-time recovery is off"):
        table_backup.restore_point_in_time(backups=backups, at=None, prefix="bk-pitr2")
    [window] = table_backup.recovery_windows(backups=backups, enable=True)
    assert window.enabled and window.table == "bk-pitr-store"
    early = datetime(2000, 1, 1, tzinfo=UTC)
    if window.earliest is not None:
        with pytest.raises(BackupError, match="can be restored to"):
            table_backup.restore_point_in_time(backups=backups, at=early, prefix="bk-pitr2")
    done = table_backup.restore_point_in_time(backups=backups, at=None, prefix="bk-pitr2")
    assert done["restored_to"] == ["bk-pitr2-store"] and done["point_in_time"] == "latest"
    assert group_names(client, "bk-pitr2") == ["api"]


def test_a_failing_call_is_a_backup_error_naming_what_was_done(client: Any) -> None:
    missing = DynamoBackups(client, "bk-none")
    with pytest.raises(BackupError, match="cannot back up table bk-none-store"):
        missing.create("x")


def drorch(moto: RunningMoto, prefix: str, *args: str) -> tuple[int, str, str]:
    """One `drorch` command in-process against the DynamoDB store `prefix` in moto."""
    env = {
        "DRORCH_STORE": "dynamodb",
        "DRORCH_DYNAMODB_TABLE_PREFIX": prefix,
        "DRORCH_DYNAMODB_ENDPOINT_URL": moto.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_backup_and_restore_commands_work_on_the_dynamodb_store(
    moto: RunningMoto, client: Any, tmp_path: Path
) -> None:
    stored_group(client, "bk-cli", "payments")
    manifest = tmp_path / "cli.json"
    code, _, err = drorch(moto, "bk-cli", "backup", "--to", str(manifest), "--pitr")
    assert code == 0, err
    assert "point-in-time recovery of bk-cli-store: on" in err
    assert f"backup manifest written to {manifest} (1 tables" in err
    code, out, err = drorch(moto, "bk-cli", "restore", str(manifest), "--table-prefix", "bk-cli2")
    assert code == 0, err
    assert "set DRORCH_DYNAMODB_TABLE_PREFIX=bk-cli2" in err
    assert group_names(client, "bk-cli2") == ["payments"]
    code, out, err = drorch(
        moto,
        "bk-cli",
        "restore",
        "--point-in-time",
        "latest",
        "--table-prefix",
        "bk-cli3",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["restored_to"] == ["bk-cli3-store"]


def test_the_commands_refuse_what_cannot_be_done_in_one_line(
    moto: RunningMoto, tmp_path: Path
) -> None:
    code, _, err = drorch(moto, "bk-cli-x", "restore", str(tmp_path / "m.json"))
    assert code == 2 and "give --table-prefix NEW" in err
    code, _, err = drorch(moto, "bk-cli-x", "backup")
    assert code == 2 and "--to FILE" in err
    code, _, err = drorch(
        moto, "bk-cli-x", "restore", "--point-in-time", "yesterday", "--table-prefix", "n"
    )
    assert code == 2 and "use ISO 8601" in err
    code, _, err = drorch(
        moto, "bk-cli-x", "restore", str(tmp_path / "m.json"), "--table-prefix", "n"
    )
    assert code != 0 and "does not exist" in err and "Traceback" not in err


def test_a_backup_schedule_keeps_only_its_newest_backups(client: Any) -> None:
    stored_group(client, "bk-sched", "crm")
    backups = DynamoBackups(client, "bk-sched")
    other = backups.create("by-hand")  # made by an operator: never pruned
    write = ScheduledTableBackups(backups)
    details = [write("sch-1", 2, NOW + timedelta(hours=hour)) for hour in range(3)]
    assert details[0]["pruned"] == [] and details[1]["pruned"] == []
    assert details[2]["pruned"] == [details[0]["backups"][0]["backup_arn"]]
    kept = [b.backup_arn for b in backups.made("s-sch-1-")]
    assert kept == [d["backups"][0]["backup_arn"] for d in details[1:]]
    assert backups.available(other[0].backup_arn)
    assert not backups.available(details[0]["backups"][0]["backup_arn"])
