"""SQLite file operations for backup and restore: online copy, inspection, atomic install."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, closing
from pathlib import Path

from drorch.adapters.datadir_lock import held_alone
from drorch.adapters.storage.sqlite.database import latest_version
from drorch.errors import BackupError
from drorch.ports.backup import Snapshot

SIDECARS = ("-wal", "-shm")


class SqliteFiles:
    """DatabaseFiles over SQLite: the online backup API and a rename into place."""

    def known_schema_version(self) -> int:
        """The newest migration this drorch ships."""
        return latest_version()

    def copy_to(self, source: Path, dest: Path) -> Snapshot:
        """Copy a live database with the online backup API (one consistent snapshot)."""
        if not source.exists():
            raise BackupError(f"no database at {source}")
        with closing(_connect(source)) as src, closing(_connect(dest)) as out:
            # The backup API copies one committed state even while writers carry on.
            src.backup(out)
            # One self-contained file: no WAL beside the copy.
            out.execute("PRAGMA journal_mode = DELETE")
        return self.inspect(dest)

    def inspect(self, path: Path) -> Snapshot:
        """The schema version and row counts of a database file; refuses a damaged one."""
        try:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise BackupError(f"the database in the backup is damaged: {check}")
                return Snapshot(_schema_version(conn), dict(_counts(conn)))
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"the backup does not hold a SQLite database: {exc}") from None

    def install(self, draft: Path, target: Path) -> None:
        """Rename a verified draft over the target, leaving no old WAL to replay onto it."""
        if target.exists():
            _checkpoint(target)
        os.replace(draft, target)
        for suffix in SIDECARS:
            # A WAL of the old file would be replayed onto the new one: it must go.
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    def exclusive(self, data_dir: Path) -> AbstractContextManager[bool]:
        """The data dir's lock held alone (False when a server or worker runs on it)."""
        return held_alone(data_dir)


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None, timeout=30.0)


def _schema_version(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    except sqlite3.OperationalError:
        raise BackupError("the database in the backup has no drorch schema") from None
    return int(row[0] or 0)


def _counts(conn: sqlite3.Connection) -> Iterator[tuple[str, int]]:
    tables = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    ).fetchall()
    for (name,) in tables:
        # Names come from sqlite_master itself, quoted as identifiers.
        quoted = '"' + name.replace('"', '""') + '"'
        yield name, int(conn.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0])


def _checkpoint(target: Path) -> None:
    """Fold the old file's WAL into it, so removing the WAL loses nothing still wanted."""
    with closing(_connect(target)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
