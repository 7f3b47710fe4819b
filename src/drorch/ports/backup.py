"""Port: copy, inspect and install the store's database file, and keep a data dir to oneself."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Snapshot:
    """What a database copy holds: its schema version and the rows of each table."""

    schema_version: int
    counts: dict[str, int] = field(default_factory=dict)


class DatabaseFiles(Protocol):
    """The store's file-level operations a backup and a restore need."""

    def known_schema_version(self) -> int: ...
    def copy_to(self, source: Path, dest: Path) -> Snapshot: ...
    def inspect(self, path: Path) -> Snapshot: ...
    def install(self, draft: Path, target: Path) -> None: ...
    def exclusive(self, data_dir: Path) -> AbstractContextManager[bool]: ...


@dataclass(frozen=True)
class TableBackup:
    """One on-demand backup of one store table."""

    table: str
    backup_arn: str
    created_at: datetime
    items: int
    size_bytes: int


@dataclass(frozen=True)
class RecoveryWindow:
    """A table's point-in-time recovery: on or off, and the times it can restore to."""

    table: str
    enabled: bool
    earliest: datetime | None = None
    latest: datetime | None = None


class TableBackups(Protocol):
    """Backups of a store kept in managed tables (DynamoDB): on-demand backups and PITR.

    A managed table cannot be overwritten by a restore: every restore creates new tables,
    named by `target_table(table, prefix)`, which a store with that prefix then uses.
    """

    @property
    def prefix(self) -> str: ...
    def tables(self) -> list[str]: ...
    def target_table(self, table: str, prefix: str) -> str: ...
    def exists(self, table: str) -> bool: ...
    def create(self, label: str) -> list[TableBackup]: ...
    def made(self, label_prefix: str) -> list[TableBackup]: ...
    def delete(self, backup_arn: str) -> None: ...
    def available(self, backup_arn: str) -> bool: ...
    def restore(self, backup_arn: str, target_table: str) -> None: ...
    def point_in_time(self, enable: bool) -> list[RecoveryWindow]: ...
    def restore_to_time(self, table: str, target_table: str, at: datetime | None) -> None: ...
    def wait_active(self, tables: list[str]) -> None: ...
