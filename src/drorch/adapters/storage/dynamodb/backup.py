"""On-demand backups and point-in-time recovery of the store's DynamoDB tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from drorch.adapters.storage.dynamodb.tables import table_definitions
from drorch.errors import BackupError
from drorch.ports.backup import RecoveryWindow, TableBackup

MISSING = {"ResourceNotFoundException", "TableNotFoundException", "BackupNotFoundException"}
WAIT = {"Delay": 2, "MaxAttempts": 300}  # restores of big tables take minutes


class DynamoBackups:
    """TableBackups over the tables a store with `prefix` uses, through an injected client."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self._prefix = prefix

    @property
    def prefix(self) -> str:
        """The table prefix of the store these backups are of."""
        return self._prefix

    def tables(self) -> list[str]:
        """The store's table names."""
        return [d["TableName"] for d in table_definitions(self._prefix)]

    def target_table(self, table: str, prefix: str) -> str:
        """The name `table` takes in a store with `prefix`."""
        return prefix + table.removeprefix(self._prefix)

    def exists(self, table: str) -> bool:
        """True when a table of that name exists (in any state)."""
        try:
            with _translated(f"describe table {table}"):
                self.client.describe_table(TableName=table)
        except BackupError as exc:
            if exc.extra.get("code") in MISSING:
                return False
            raise
        return True

    def create(self, label: str) -> list[TableBackup]:
        """One on-demand backup of every store table, named `<table>-<label>`."""
        made = []
        for table in self.tables():
            with _translated(f"back up table {table}"):
                answer = self.client.create_backup(
                    TableName=table, BackupName=f"{table}-{label}"[:255]
                )
                described = self.client.describe_table(TableName=table)["Table"]
            details = answer["BackupDetails"]
            made.append(
                TableBackup(
                    table=table,
                    backup_arn=details["BackupArn"],
                    created_at=details["BackupCreationDateTime"],
                    items=int(described.get("ItemCount", 0)),
                    size_bytes=int(
                        details.get("BackupSizeBytes", described.get("TableSizeBytes", 0))
                    ),
                )
            )
        return made

    def made(self, label_prefix: str) -> list[TableBackup]:
        """The on-demand backups of the store's tables whose label starts with `label_prefix`."""
        summaries: list[tuple[str, dict[str, Any]]] = []
        for table in self.tables():
            start = f"{table}-{label_prefix}"
            summaries += [
                (table, s)
                for s in self._summaries(table)
                if s.get("BackupName", "").startswith(start)
            ]
        # Names carry the run's time, so they order backups made within the same second.
        summaries.sort(key=lambda pair: (pair[1]["BackupCreationDateTime"], pair[1]["BackupName"]))
        return [
            TableBackup(
                table=table,
                backup_arn=summary["BackupArn"],
                created_at=summary["BackupCreationDateTime"],
                items=0,
                size_bytes=int(summary.get("BackupSizeBytes", 0)),
            )
            for table, summary in summaries
        ]

    def delete(self, backup_arn: str) -> None:
        """Delete one on-demand backup (gone already is fine)."""
        try:
            with _translated(f"delete backup {backup_arn}"):
                self.client.delete_backup(BackupArn=backup_arn)
        except BackupError as exc:
            if exc.extra.get("code") not in MISSING:
                raise

    def _summaries(self, table: str) -> Iterator[dict[str, Any]]:
        """Every on-demand backup summary of one table, page by page."""
        args: dict[str, Any] = {"TableName": table, "BackupType": "USER"}
        while True:
            with _translated(f"list the backups of {table}"):
                page = self.client.list_backups(**args)
            yield from page.get("BackupSummaries", [])
            last = page.get("LastEvaluatedBackupArn")
            if not last:
                return
            args["ExclusiveStartBackupArn"] = last

    def available(self, backup_arn: str) -> bool:
        """True when the backup exists and can be restored now."""
        try:
            with _translated(f"describe backup {backup_arn}"):
                answer = self.client.describe_backup(BackupArn=backup_arn)
        except BackupError as exc:
            if exc.extra.get("code") in MISSING:
                return False
            raise
        status = answer["BackupDescription"]["BackupDetails"]["BackupStatus"]
        return bool(status == "AVAILABLE")

    def restore(self, backup_arn: str, target_table: str) -> None:
        """Start restoring a backup into a new table (see `wait_active`)."""
        with _translated(f"restore {backup_arn} into {target_table}"):
            self.client.restore_table_from_backup(
                TargetTableName=target_table, BackupArn=backup_arn
            )

    def point_in_time(self, enable: bool) -> list[RecoveryWindow]:
        """Turn PITR on when `enable` (never off), then each table's recovery window."""
        windows = []
        for table in self.tables():
            with _translated(f"point-in-time recovery of {table}"):
                if enable:
                    self.client.update_continuous_backups(
                        TableName=table,
                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                    )
                answer = self.client.describe_continuous_backups(TableName=table)
            windows.append(_window(table, answer["ContinuousBackupsDescription"]))
        return windows

    def restore_to_time(self, table: str, target_table: str, at: datetime | None) -> None:
        """Start restoring `table` as it was at `at` (None: the latest restorable time)."""
        when: dict[str, Any] = (
            {"UseLatestRestorableTime": True} if at is None else {"RestoreDateTime": at}
        )
        with _translated(f"restore {table} to a point in time into {target_table}"):
            self.client.restore_table_to_point_in_time(
                SourceTableName=table, TargetTableName=target_table, **when
            )

    def wait_active(self, tables: list[str]) -> None:
        """Wait until each table exists and is ACTIVE."""
        for table in tables:
            with _translated(f"wait for table {table}"):
                self.client.get_waiter("table_exists").wait(TableName=table, WaiterConfig=WAIT)


def _window(table: str, description: dict[str, Any]) -> RecoveryWindow:
    pitr = description.get("PointInTimeRecoveryDescription") or {}
    return RecoveryWindow(
        table=table,
        enabled=pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
        earliest=pitr.get("EarliestRestorableDateTime"),
        latest=pitr.get("LatestRestorableDateTime"),
    )


@contextmanager
def _translated(doing: str) -> Iterator[None]:
    """Any DynamoDB refusal as the project's BackupError, naming what was being done."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        raise BackupError(
            f"cannot {doing}: {code}: {error.get('Message', '')}", code=code
        ) from None
    except Exception as exc:  # waiter timeouts, endpoint errors
        if isinstance(exc, BackupError):
            raise
        raise BackupError(f"cannot {doing}: {exc}") from None
