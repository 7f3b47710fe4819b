"""SQLite repository of schedules and their runs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.adapters.storage.sqlite.documents import (
    check_version,
    delete_one,
    load_one,
    name_taken,
)
from drorch.domain.schedules import RunStatus, Schedule, ScheduleRun
from drorch.ports.store import Page

NOUN = "schedule"
RUN_SORT = "-seq"


def stamp(moment: datetime | None) -> str | None:
    """A UTC time as fixed-width text, so text order is time order."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unstamp(text: str | None) -> datetime | None:
    """The time `stamp` wrote."""
    if text is None:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class SqliteSchedules:
    """Schedules as JSON documents; runs as rows claimed by a unique (schedule, due time)."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

    def add(self, schedule: Schedule, *, next_due_at: datetime | None) -> None:
        """Insert a new schedule; 409 when its name is taken."""
        try:
            self._conn.execute(
                "INSERT INTO schedules VALUES (?, ?, ?, ?, ?, ?)",
                (
                    schedule.id,
                    schedule.name.lower(),
                    schedule.version,
                    stamp(schedule.created_at),
                    stamp(next_due_at),
                    schedule.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, schedule.name, exc) from exc

    def update(
        self, schedule: Schedule, *, expected_version: int, next_due_at: datetime | None
    ) -> None:
        """Replace a schedule at `expected_version` and set its next due time."""
        check_version(self._conn, "schedules", schedule.id, expected_version, NOUN)
        try:
            self._conn.execute(
                "UPDATE schedules SET name_lower=?, version=?, next_due_at=?, body=? "
                "WHERE id=? AND version=?",
                (
                    schedule.name.lower(),
                    schedule.version,
                    stamp(next_due_at),
                    schedule.model_dump_json(),
                    schedule.id,
                    expected_version,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, schedule.name, exc) from exc

    def delete(self, schedule_id: str, *, expected_version: int | None) -> None:
        """Delete a schedule and its run history."""
        delete_one(self._conn, "schedules", schedule_id, expected_version, NOUN)

    def get(self, schedule_id: str) -> Schedule | None:
        """One schedule, or None."""
        return load_one(self._conn, "schedules", "id", schedule_id, Schedule.model_validate_json)

    def find_by_name(self, name: str) -> Schedule | None:
        """The schedule with this name (case-insensitive), or None."""
        return load_one(
            self._conn, "schedules", "name_lower", name.lower(), Schedule.model_validate_json
        )

    def all(self) -> list[Schedule]:
        """Every schedule, by name."""
        rows = self._conn.execute("SELECT body FROM schedules ORDER BY name_lower, id")
        return [Schedule.model_validate_json(row["body"]) for row in rows]

    def next_due_of(self, schedule_ids: Iterable[str]) -> dict[str, datetime | None]:
        """The next due time of each schedule named (None: nothing due)."""
        ids = list(schedule_ids)
        marks = ", ".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT id, next_due_at FROM schedules WHERE id IN ({marks})", ids
        )
        return {row["id"]: unstamp(row["next_due_at"]) for row in rows}

    def due(self, now: datetime) -> list[tuple[Schedule, datetime]]:
        """Schedules whose next due time has come, earliest first, with that time."""
        rows = self._conn.execute(
            "SELECT body, next_due_at FROM schedules WHERE next_due_at IS NOT NULL "
            "AND next_due_at <= ? ORDER BY next_due_at, id",
            (stamp(now),),
        )
        found = []
        for row in rows:
            due_at = unstamp(row["next_due_at"])
            assert due_at is not None  # the query asked for non-null ones
            found.append((Schedule.model_validate_json(row["body"]), due_at))
        return found

    def next_due(self) -> datetime | None:
        """The earliest due time of any schedule."""
        row = self._conn.execute(
            "SELECT MIN(next_due_at) AS due FROM schedules WHERE next_due_at IS NOT NULL"
        ).fetchone()
        return unstamp(row["due"])

    def claim(self, run: ScheduleRun, *, next_due_at: datetime | None) -> bool:
        """Insert the run unless its (schedule, due time) exists; then move the due time on."""
        cursor = self._conn.execute(
            "INSERT INTO schedule_runs (id, schedule_id, due_at, status, body) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (schedule_id, due_at) DO NOTHING",
            (
                run.id,
                run.schedule_id,
                stamp(run.due_at),
                run.status.value,
                run.model_dump_json(),
            ),
        )
        if cursor.rowcount != 1:
            return False
        # Only from the due time claimed: an edit in between chose a due time of its own.
        self._conn.execute(
            "UPDATE schedules SET next_due_at = ? WHERE id = ? AND next_due_at = ?",
            (stamp(next_due_at), run.schedule_id, stamp(run.due_at)),
        )
        return True

    def finish(self, run: ScheduleRun) -> None:
        """Store how a claimed run went."""
        self._conn.execute(
            "UPDATE schedule_runs SET status = ?, body = ? WHERE id = ?",
            (run.status.value, run.model_dump_json(), run.id),
        )

    def get_run(self, run_id: str) -> ScheduleRun | None:
        """One run, or None."""
        return load_one(self._conn, "schedule_runs", "id", run_id, ScheduleRun.model_validate_json)

    def runs_page(self, schedule_id: str, cursor: str | None, limit: int) -> Page[ScheduleRun]:
        """A page of one schedule's runs, newest first."""
        limit = check_limit(limit)
        sql = "SELECT seq, id, body FROM schedule_runs WHERE schedule_id = ?"
        params: list[object] = [schedule_id]
        if cursor:
            seq, _ = self._cursors.decode(cursor, RUN_SORT, int)
            sql += " AND seq < ?"
            params.append(int(seq))
        rows = self._conn.execute(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        found = [(row["seq"], row["id"], row["body"]) for row in rows]
        more = len(found) > limit
        found = found[:limit]
        runs = [ScheduleRun.model_validate_json(body) for _, _, body in found]
        after = self._cursors.encode(RUN_SORT, found[-1][0], found[-1][1]) if more else None
        return Page(items=runs, next_cursor=after)

    def last_runs(self, schedule_ids: Iterable[str]) -> dict[str, ScheduleRun]:
        """The newest run of each schedule named that has one."""
        ids = list(schedule_ids)
        marks = ", ".join("?" * len(ids))
        rows = self._conn.execute(
            f"SELECT r.schedule_id, r.body FROM schedule_runs r WHERE r.schedule_id IN ({marks}) "
            "AND r.seq = (SELECT MAX(seq) FROM schedule_runs WHERE schedule_id = r.schedule_id)",
            ids,
        )
        return {row["schedule_id"]: ScheduleRun.model_validate_json(row["body"]) for row in rows}

    def running(self) -> list[ScheduleRun]:
        """Runs claimed and not finished (a worker stopped while running them)."""
        rows = self._conn.execute(
            "SELECT body FROM schedule_runs WHERE status = ? ORDER BY seq",
            (RunStatus.RUNNING.value,),
        )
        return [ScheduleRun.model_validate_json(row["body"]) for row in rows]
