"""Scheduled backups: one archive per run in a folder of the data dir, the newest N kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drorch.ports.backup import DatabaseFiles, TableBackups
from drorch.services import backup, table_backup

BACKUPS_DIR = "backups"
# Only files this module named are ever pruned: anything else in the folder is left alone.
ARCHIVE = re.compile(r"^drorch-\d{8}T\d{6}Z\.tar\.gz$")


@dataclass(frozen=True)
class ScheduledBackups:
    """Writes a schedule's archives to `<data dir>/backups/<schedule id>/` (a BackupWriter)."""

    files: DatabaseFiles
    layout: backup.Layout

    def folder(self, schedule_id: str) -> Path:
        """Where one schedule's archives go."""
        return self.layout.data_dir / BACKUPS_DIR / schedule_id

    def __call__(self, schedule_id: str, keep: int, now: datetime) -> dict[str, Any]:
        """Write one archive, then remove the oldest beyond `keep`; the path, size and pruned."""
        folder = self.folder(schedule_id)
        target = folder / f"drorch-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"
        manifest = backup.backup(files=self.files, layout=self.layout, to=target, now=now)
        pruned = prune(folder, keep)
        return {
            "path": str(target),
            "bytes": target.stat().st_size,
            "schema_version": manifest["schema_version"],
            "rows": sum(manifest["tables"].values()),
            "pruned": [p.name for p in pruned],
        }


@dataclass(frozen=True)
class ScheduledTableBackups:
    """On-demand backups of the DynamoDB store per run, the newest `keep` runs kept.

    Each run's backups are labelled `s-<schedule id>-<time>`, so pruning deletes only backups
    this schedule made; the run's detail lists their ARNs (a Lambda has no lasting disk, so
    the ARNs, not a manifest file, are what a restore starts from).
    """

    backups: TableBackups

    def __call__(self, schedule_id: str, keep: int, now: datetime) -> dict[str, Any]:
        """Back up every table, then delete each table's backups beyond the newest `keep`."""
        label = f"s-{schedule_id}-"
        made = self.backups.create(f"{label}{now.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        pruned = []
        for table in {b.table for b in made}:
            mine = [b for b in self.backups.made(label) if b.table == table]  # oldest first
            pruned += mine[: max(len(mine) - keep, 0)]
        for old in pruned:
            self.backups.delete(old.backup_arn)
        return {
            "path": ", ".join(b.backup_arn for b in made),
            "format": table_backup.FORMAT,
            "backups": [{"table": b.table, "backup_arn": b.backup_arn} for b in made],
            "bytes": sum(b.size_bytes for b in made),
            "rows": sum(b.items for b in made),
            "pruned": [b.backup_arn for b in pruned],
        }


def archives(folder: Path) -> list[Path]:
    """The folder's scheduled archives, oldest first (their names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and ARCHIVE.match(p.name))


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives; the ones deleted."""
    found = archives(folder)
    doomed = found[: max(len(found) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
