"""SQLite repository of readiness runs (each with its findings, as one JSON body)."""

from __future__ import annotations

import sqlite3

from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.readiness import ReadinessRun
from drorch.ports.store import Page

SORT = "-seq"


class SqliteReadiness:
    """Appends runs and reads a plan's history, newest first."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

    def add(self, run: ReadinessRun) -> ReadinessRun:
        """Keep a run; returns it with the sequence number it was given."""
        body = run.model_dump_json(exclude={"seq"})
        cursor = self._conn.execute(
            "INSERT INTO readiness_runs (id, plan_id, status, trigger, finished_at, body) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (run.id, run.plan_id, run.status.value, run.trigger.value, _at(run), body),
        )
        return run.model_copy(update={"seq": cursor.lastrowid})

    def latest(self, plan_id: str) -> ReadinessRun | None:
        """The plan's newest run, or None when it was never checked."""
        row = self._conn.execute(
            "SELECT seq, body FROM readiness_runs WHERE plan_id = ? ORDER BY seq DESC LIMIT 1",
            (plan_id,),
        ).fetchone()
        return _run(row) if row else None

    def latest_of_every_plan(self) -> list[ReadinessRun]:
        """The newest run of each plan that has one, by plan name."""
        rows = self._conn.execute(
            "SELECT r.seq, r.body FROM readiness_runs r "
            "JOIN (SELECT plan_id, MAX(seq) AS seq FROM readiness_runs GROUP BY plan_id) m "
            "ON m.seq = r.seq"
        ).fetchall()
        return sorted((_run(row) for row in rows), key=lambda r: r.plan_name.lower())

    def page(self, plan_id: str, cursor: str | None, limit: int) -> Page[ReadinessRun]:
        """A page of the plan's runs, newest first."""
        limit = check_limit(limit)
        sql = "SELECT seq, body FROM readiness_runs WHERE plan_id = ?"
        params: list[object] = [plan_id]
        if cursor:
            seq, _ = self._cursors.decode(cursor, SORT, int)
            sql += " AND seq < ?"
            params.append(int(seq))
        rows = self._conn.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        runs = [_run(row) for row in rows]
        more = len(runs) > limit
        runs = runs[:limit]
        last = runs[-1] if more else None
        next_cursor = self._cursors.encode(SORT, last.seq, last.id) if last else None
        return Page(items=runs, next_cursor=next_cursor)


def _at(run: ReadinessRun) -> str:
    return run.finished_at.isoformat()


def _run(row: sqlite3.Row) -> ReadinessRun:
    return ReadinessRun.model_validate_json(row["body"]).model_copy(update={"seq": row["seq"]})
