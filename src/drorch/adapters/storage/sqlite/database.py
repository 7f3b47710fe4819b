"""SQLite connections, WAL, migrations and transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

MEMORY = ":memory:"


class Database:
    """Hands out connections: one per thread for a file, one shared (locked) for `:memory:`."""

    def __init__(self, path: str | Path, *, cache_mb: int = 32) -> None:
        self.path = str(path)
        self.cache_mb = cache_mb
        self._local = threading.local()
        self._shared: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self.connection() as conn:
            migrate(conn)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection for this thread; the in-memory database is shared under a lock."""
        if self.path == MEMORY:
            with self._lock:
                if self._shared is None:
                    self._shared = self._open()
                yield self._shared
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        yield conn

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """A transaction; writers take the write lock up front so check-then-write is atomic."""
        with self.connection() as conn:
            if conn.in_transaction and not write:
                # A read inside this thread's open transaction (an adapter looking up an
                # account while a use case holds its transaction) reads within it.
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            if write:
                conn.commit()
            else:
                conn.rollback()

    def close(self) -> None:
        """Close every connection this database opened."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
            self._shared = None
            self._local = threading.local()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        # SQLite's 2 MiB default makes list pages re-read pages from the OS on every walk;
        # memory grows only with the pages used, never past the database's own size.
        conn.execute(f"PRAGMA cache_size = {-1024 * self.cache_mb}")
        if self.path != MEMORY:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._all.append(conn)
        return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every migration newer than the recorded schema version; returns the version."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT)"
        )
        current = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
        for version, name, sql in _migrations():
            if version > current:
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, name))
                current = version
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return int(current)


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("drorch.adapters.storage.sqlite") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append((int(number), rest.removesuffix(".sql"), entry.read_text()))
    return sorted(found)


def _statements(sql: str) -> list[str]:
    # executescript() would commit our transaction, so split and run one by one.
    # A trigger body holds semicolons of its own: pieces join until SQLite sees one statement.
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    statements: list[str] = []
    pending = ""
    for piece in "\n".join(lines).split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip().removesuffix(";"))
            pending = ""
    return statements


def latest_version() -> int:
    """The newest schema version this drorch's migrations reach."""
    return max(version for version, _, _ in _migrations())
