"""The SQLite executions' due-time queue and leases (the `execution_schedule` table)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from drorch.adapters.storage.sqlite.execution_records import parse_ts, ts
from drorch.ports.execution_store import Lease


class ExecutionQueue:
    """When each execution is due, and which worker holds its lease (part of the repository)."""

    _conn: sqlite3.Connection

    def schedule(self, execution_id: str, due_at: datetime) -> None:
        """Make an execution due at `due_at` (earlier wins), keeping any lease."""
        self._conn.execute(
            "INSERT INTO execution_schedule (execution_id, due_at) VALUES (?, ?) "
            "ON CONFLICT (execution_id) DO UPDATE SET due_at = MIN(due_at, excluded.due_at)",
            (execution_id, ts(due_at)),
        )

    def claim_due(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[str]:
        """Lease up to `limit` due executions whose lease is free or expired."""
        rows = self._conn.execute(
            "SELECT execution_id FROM execution_schedule WHERE due_at <= ? "
            "AND (lease_owner IS NULL OR lease_until < ?) ORDER BY due_at LIMIT ?",
            (ts(now), ts(now), limit),
        ).fetchall()
        ids = [r["execution_id"] for r in rows]
        # While leased, due_at = lease_until: an expired lease makes the execution due again,
        # and a wake-up during the lease (schedule) shows as due_at < lease_until.
        self._conn.executemany(
            "UPDATE execution_schedule SET lease_owner = ?, lease_until = ?, due_at = ? "
            "WHERE execution_id = ?",
            [(owner, ts(lease_until), ts(lease_until), i) for i in ids],
        )
        return ids

    def claim(self, execution_id: str, *, owner: str, now: datetime, lease_until: datetime) -> bool:
        """Lease one execution if its lease is free, expired or already ours."""
        cur = self._conn.execute(
            "UPDATE execution_schedule SET lease_owner = ?, lease_until = ?, due_at = CASE "
            "WHEN lease_owner IS NOT NULL AND due_at < lease_until THEN due_at ELSE ? END "
            "WHERE execution_id = ? AND (lease_owner IS NULL OR lease_owner = ? "
            "OR lease_until < ?)",
            (owner, ts(lease_until), ts(lease_until), execution_id, owner, ts(now)),
        )
        return cur.rowcount == 1

    def holds(self, execution_id: str, *, owner: str, now: datetime) -> bool:
        """True while `owner` holds an unexpired lease on the execution."""
        row = self._conn.execute(
            "SELECT 1 FROM execution_schedule WHERE execution_id = ? AND lease_owner = ? "
            "AND lease_until >= ?",
            (execution_id, owner, ts(now)),
        ).fetchone()
        return row is not None

    def release(self, execution_id: str, *, owner: str, due_at: datetime | None) -> bool:
        """Give the lease back and set the next due time (None: the engine is done)."""
        woken = "due_at < lease_until"  # someone called schedule() during the lease
        if due_at is None:
            cur = self._conn.execute(
                f"DELETE FROM execution_schedule WHERE execution_id = ? AND lease_owner = ? "
                f"AND NOT ({woken})",
                (execution_id, owner),
            )
            if cur.rowcount == 1:
                return True
        new_due = ts(due_at) if due_at is not None else "9999"
        cur = self._conn.execute(
            f"UPDATE execution_schedule SET due_at = CASE WHEN {woken} THEN MIN(due_at, ?) "
            "ELSE ? END, lease_owner = NULL, lease_until = NULL "
            "WHERE execution_id = ? AND lease_owner = ?",
            (new_due, new_due, execution_id, owner),
        )
        return cur.rowcount == 1

    def leases(self) -> dict[str, str]:
        """Execution id -> lease owner, for every execution currently leased."""
        rows = self._conn.execute(
            "SELECT execution_id, lease_owner FROM execution_schedule WHERE lease_owner IS NOT NULL"
        )
        return {r["execution_id"]: r["lease_owner"] for r in rows}

    def lease_rows(self) -> list[Lease]:
        """Every lease held now or left behind, with its expiry."""
        rows = self._conn.execute(
            "SELECT execution_id, lease_owner, lease_until FROM execution_schedule "
            "WHERE lease_owner IS NOT NULL ORDER BY lease_until"
        )
        return [
            Lease(r["execution_id"], r["lease_owner"], parse_ts(r["lease_until"])) for r in rows
        ]

    def next_due(self) -> datetime | None:
        """The earliest due time in the queue."""
        row = self._conn.execute("SELECT MIN(due_at) FROM execution_schedule").fetchone()
        return parse_ts(row[0]) if row and row[0] else None
