"""Figures the metrics endpoint reads from the store: executions per status, the engine queue."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from drorch.adapters.storage.sqlite.execution_records import parse_ts, ts
from drorch.ports.metrics import EngineQueue


def execution_counts(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    """(type, status) -> how many executions have it."""
    rows = conn.execute("SELECT type, status, count(*) FROM executions GROUP BY type, status")
    return {(str(r[0]), str(r[1])): int(r[2]) for r in rows}


def engine_queue(conn: sqlite3.Connection, now: datetime) -> EngineQueue:
    """Executions due and not leased (waiting for a worker), those leased, the oldest due time."""
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE lease_owner IS NULL), "
        "count(*) FILTER (WHERE lease_owner IS NOT NULL), "
        "min(due_at) FILTER (WHERE lease_owner IS NULL) "
        "FROM execution_schedule WHERE due_at <= ? OR lease_owner IS NOT NULL",
        (ts(now),),
    ).fetchone()
    oldest = parse_ts(row[2]) if row[2] else None
    return EngineQueue(due=int(row[0]), leased=int(row[1]), oldest_due_at=oldest)
