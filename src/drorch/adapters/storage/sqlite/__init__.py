"""The SQLite store adapter (embedded default)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from drorch.adapters.storage.paging import Cursors
from drorch.adapters.storage.sqlite import figures
from drorch.adapters.storage.sqlite.accounts import SqliteAccounts
from drorch.adapters.storage.sqlite.audit import SqliteAudit
from drorch.adapters.storage.sqlite.database import Database
from drorch.adapters.storage.sqlite.execution_records import WriteMeter
from drorch.adapters.storage.sqlite.executions import SqliteExecutions
from drorch.adapters.storage.sqlite.groups import SqliteGroups
from drorch.adapters.storage.sqlite.notifications import SqliteNotifications
from drorch.adapters.storage.sqlite.plans import SqlitePlans
from drorch.adapters.storage.sqlite.readiness import SqliteReadiness
from drorch.adapters.storage.sqlite.schedules import SqliteSchedules
from drorch.adapters.storage.sqlite.servers import SqliteServers
from drorch.adapters.storage.sqlite.users import SqliteSignIns, SqliteTokens, SqliteUsers
from drorch.ports.metrics import EngineQueue
from drorch.ports.store import StoreHealth


class SqliteUnitOfWork:
    """The repositories of one SQLite transaction."""

    def __init__(
        self, conn: sqlite3.Connection, cursors: Cursors, meter: WriteMeter | None = None
    ) -> None:
        self.conn = conn
        self.servers = SqliteServers(conn, cursors)
        self.groups = SqliteGroups(conn, cursors)
        self.plans = SqlitePlans(conn, cursors)
        self.executions = SqliteExecutions(conn, cursors, meter)
        self.users = SqliteUsers(conn)
        self.tokens = SqliteTokens(conn)
        self.sign_ins = SqliteSignIns(conn)
        self.audit = SqliteAudit(conn, cursors)
        self.accounts = SqliteAccounts(conn)
        self.notifications = SqliteNotifications(conn, cursors)
        self.readiness = SqliteReadiness(conn, cursors)
        self.schedules = SqliteSchedules(conn, cursors)


class SqliteStore:
    """Store port over one SQLite file in WAL mode (or `:memory:`)."""

    def __init__(
        self, path: str | Path, *, cache_mb: int = 32, cursor_key: bytes | None = None
    ) -> None:
        self.db = Database(path, cache_mb=cache_mb)
        self.cursors = Cursors(cursor_key)
        self.meter = WriteMeter()  # execution record bytes written, for the benchmarks

    @contextmanager
    def transaction(self) -> Iterator[SqliteUnitOfWork]:
        """A write transaction: commits when the block ends, rolls back on any error."""
        with self.db.transaction(write=True) as conn:
            yield SqliteUnitOfWork(conn, self.cursors, self.meter)

    @contextmanager
    def read(self) -> Iterator[SqliteUnitOfWork]:
        """A read-only snapshot."""
        with self.db.transaction(write=False) as conn:
            yield SqliteUnitOfWork(conn, self.cursors)

    def ping(self) -> None:
        """Raise when the database cannot answer a query."""
        with self.db.connection() as conn:
            conn.execute("SELECT 1").fetchone()

    def identity_epoch(self) -> int:
        """The counter every user, API-token or session change moves (migration 011)."""
        with self.db.connection() as conn:
            return int(conn.execute("SELECT epoch FROM identity_epoch WHERE id = 1").fetchone()[0])

    def execution_counts(self) -> dict[tuple[str, str], int]:
        """(type, status) -> executions, for the metrics endpoint."""
        with self.db.connection() as conn:
            return figures.execution_counts(conn)

    def engine_queue(self, now: datetime) -> EngineQueue:
        """The engine's due-time queue as of `now`, for the metrics endpoint."""
        with self.db.connection() as conn:
            return figures.engine_queue(conn, now)

    def health(self) -> StoreHealth:
        """SQLite's quick integrity check and the database's size in bytes."""
        with self.db.connection() as conn:
            verdict = str(conn.execute("PRAGMA quick_check").fetchone()[0])
            pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
            page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        return StoreHealth(ok=verdict == "ok", detail=verdict, size_bytes=pages * page_size)

    def close(self) -> None:
        """Close all connections."""
        self.db.close()
