"""Backup and restore of a store kept in managed tables (DynamoDB), behind the same commands.

`drorch backup --to FILE` takes an on-demand backup of every store table and writes a
manifest naming them; `drorch restore FILE --table-prefix NEW` restores those backups into
new tables (a managed table cannot be overwritten), and `--point-in-time` restores the live
tables as they were at a time. Everything is checked before the first restore starts, so a
refusal leaves nothing half-made; the operator then points `DRORCH_DYNAMODB_TABLE_PREFIX` at
the new prefix.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from drorch import __version__
from drorch.errors import BackupError
from drorch.ports.backup import RecoveryWindow, TableBackups

FORMAT = "drorch-dynamodb-backup/1"
PREFIX = re.compile(r"^[A-Za-z0-9_.-]{1,200}$")


def backup_tables(*, backups: TableBackups, to: Path, now: datetime) -> dict[str, Any]:
    """Back up every store table on demand and write the manifest to `to`; the manifest."""
    made = backups.create(now.strftime("%Y%m%dT%H%M%SZ"))
    manifest = {
        "format": FORMAT,
        "drorch_version": __version__,
        "created_at": now.isoformat(),
        "table_prefix": backups.prefix,
        "tables": {b.table: b.items for b in made},
        "backups": [
            {
                "table": b.table,
                "backup_arn": b.backup_arn,
                "created_at": b.created_at.isoformat(),
                "items": b.items,
                "size_bytes": b.size_bytes,
            }
            for b in made
        ],
    }
    _write_atomically(to, manifest)
    return manifest


def restore_tables(*, backups: TableBackups, manifest_path: Path, prefix: str) -> dict[str, Any]:
    """Restore the backups a manifest names into new tables with `prefix`; the manifest."""
    manifest = read_manifest(manifest_path)
    pairs = [
        (entry["backup_arn"], backups.target_table(entry["table"], prefix))
        for entry in manifest["backups"]
    ]
    _refuse_targets(backups, prefix, [target for _, target in pairs])
    gone = [arn for arn, _ in pairs if not backups.available(arn)]
    if gone:
        raise BackupError(f"backups not available (deleted or still being made): {', '.join(gone)}")
    for arn, target in pairs:
        backups.restore(arn, target)
    backups.wait_active([target for _, target in pairs])
    return {**manifest, "restored_to": [target for _, target in pairs]}


def restore_point_in_time(
    *, backups: TableBackups, at: datetime | None, prefix: str
) -> dict[str, Any]:
    """Restore the live tables as they were at `at` (None: latest) into new tables."""
    windows = {w.table: w for w in backups.point_in_time(enable=False)}
    targets = {table: backups.target_table(table, prefix) for table in backups.tables()}
    _refuse_targets(backups, prefix, list(targets.values()))
    for table in targets:
        _check_window(windows.get(table), table, at)
    for table, target in targets.items():
        backups.restore_to_time(table, target, at)
    backups.wait_active(list(targets.values()))
    return {
        "format": FORMAT,
        "table_prefix": backups.prefix,
        "point_in_time": at.isoformat() if at else "latest",
        "restored_to": list(targets.values()),
    }


def recovery_windows(*, backups: TableBackups, enable: bool) -> list[RecoveryWindow]:
    """Each table's point-in-time recovery, turned on first when `enable`."""
    return backups.point_in_time(enable=enable)


def read_manifest(path: Path) -> dict[str, Any]:
    """A manifest `backup_tables` wrote, checked for its format and entries."""
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a DynamoDB backup manifest: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a DynamoDB backup manifest ({FORMAT})")
    entries = manifest.get("backups")
    if not isinstance(entries, list) or not entries or not all(_entry_ok(e) for e in entries):
        raise BackupError(f"{path} names no backups, or a backup without table and ARN")
    return manifest


def _entry_ok(entry: Any) -> bool:
    return isinstance(entry, dict) and bool(entry.get("table")) and bool(entry.get("backup_arn"))


def _refuse_targets(backups: TableBackups, prefix: str, targets: list[str]) -> None:
    if not PREFIX.match(prefix):
        raise BackupError(f"table prefix {prefix!r}: use letters, digits, '_', '.' or '-'")
    if prefix == backups.prefix:
        raise BackupError(
            "a restore creates new tables: choose a --table-prefix other than the store's own "
            f"({prefix!r})"
        )
    taken = [t for t in targets if backups.exists(t)]
    if taken:
        raise BackupError(f"tables already exist: {', '.join(taken)}; choose another prefix")


def _check_window(window: RecoveryWindow | None, table: str, at: datetime | None) -> None:
    if window is None or not window.enabled:
        raise BackupError(
            f"point-in-time recovery is off for {table} (turn it on with `drorch backup --pitr`)"
        )
    if at is None or window.earliest is None or window.latest is None:
        return
    if not window.earliest <= at <= window.latest:
        raise BackupError(
            f"{table} can be restored to {window.earliest.isoformat()} .. "
            f"{window.latest.isoformat()}, not {at.isoformat()}"
        )


def _write_atomically(path: Path, manifest: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.partial")
    draft.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(draft, path)
