"""DynamoDB repository of schedules and their runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from drorch.adapters.storage.dynamodb.common import (
    Documents,
    joined,
    next_seq,
    pad,
    parse_all,
    parse_ts,
    ts,
)
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.schedules import RunStatus, Schedule, ScheduleRun
from drorch.ports.store import Page

SCHEDULES, DUE, RUNNING = "sched", "sched-due", "srun-running"
RUN_SORT = "-seq"


def _due_fields(schedule_id: str, next_due_at: datetime | None) -> dict[str, str | None]:
    if next_due_at is None:
        return {"due": None}
    return {"due": ts(next_due_at), "g1pk": DUE, "g1sk": joined(ts(next_due_at), schedule_id)}


def _run_key(run_id: str) -> tuple[str, str]:
    return f"srun#{run_id}", "-"


class DynamoSchedules:
    """Schedules as documents with their next due time indexed; runs claimed by key."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._docs = Documents(unit, SCHEDULES, "schedule")

    def add(self, schedule: Schedule, *, next_due_at: datetime | None) -> None:
        """Insert a new schedule; 409 when its name is taken."""
        extra = _due_fields(schedule.id, next_due_at)
        self._docs.add(
            schedule.id, schedule.model_dump_json(), schedule.version, schedule.name, **extra
        )

    def update(
        self, schedule: Schedule, *, expected_version: int, next_due_at: datetime | None
    ) -> None:
        """Replace a schedule at `expected_version` and set its next due time."""
        extra = _due_fields(schedule.id, next_due_at)
        self._docs.update(
            schedule.id,
            schedule.model_dump_json(),
            schedule.version,
            expected_version,
            schedule.name,
            **extra,
        )

    def delete(self, schedule_id: str, *, expected_version: int | None) -> None:
        """Delete a schedule and its run history."""
        self._docs.delete(schedule_id, expected_version)
        for item in self._unit.query(f"sruns#{schedule_id}", index="g1"):
            self._unit.delete(item["pk"], item["sk"], ahead=True)

    def get(self, schedule_id: str) -> Schedule | None:
        """One schedule, or None."""
        item = self._docs.get(schedule_id)
        return Schedule.model_validate_json(item["body"]) if item else None

    def find_by_name(self, name: str) -> Schedule | None:
        """The schedule with this name (case-insensitive), or None."""
        item = self._docs.by_name(name)
        return Schedule.model_validate_json(item["body"]) if item else None

    def all(self) -> list[Schedule]:
        """Every schedule, by name."""
        items = sorted(self._docs.all(), key=lambda i: (i["name"].lower(), i["sk"]))
        return parse_all(items, Schedule.model_validate_json)

    def next_due_of(self, schedule_ids: Iterable[str]) -> dict[str, datetime | None]:
        """The next due time of each schedule named (None: nothing due)."""
        found = self._unit.get_many((SCHEDULES, s) for s in schedule_ids)
        return {k[1]: parse_ts(i["due"]) if i.get("due") else None for k, i in found.items()}

    def due(self, now: datetime) -> list[tuple[Schedule, datetime]]:
        """Schedules whose next due time has come, earliest first, with that time."""
        items = self._unit.query(DUE, index="g1", upto=joined(ts(now), "\x7f"))
        found = []
        for item in items:
            if item.get("due") and item["due"] <= ts(now):
                found.append((Schedule.model_validate_json(item["body"]), parse_ts(item["due"])))
        return found

    def next_due(self) -> datetime | None:
        """The earliest due time of any schedule."""
        items, _ = self._unit.page(DUE, index="g1", forward=True, limit=1, start=None)
        return parse_ts(items[0]["due"]) if items else None

    def claim(self, run: ScheduleRun, *, next_due_at: datetime | None) -> bool:
        """Insert the run unless its (schedule, due time) exists; then move the due time on."""
        claim_key = (f"srunkey#{run.schedule_id}", ts(run.due_at))
        if self._unit.get(*claim_key) is not None:
            return False
        self._unit.put({"pk": claim_key[0], "sk": claim_key[1], "run": run.id}, new=True)
        self._write_run(run, next_seq(self._unit, "schedule-runs"), new=True)
        schedule = self._docs.get(run.schedule_id)
        # Only from the due time claimed: an edit in between chose a due time of its own.
        if schedule is not None and schedule.get("due") == ts(run.due_at):
            kept = {k: v for k, v in schedule.items() if k not in ("g1pk", "g1sk")}
            self._unit.put({**kept, **_due_fields(run.schedule_id, next_due_at)})
        return True

    def _write_run(self, run: ScheduleRun, seq: int, *, new: bool = False) -> None:
        item: Item = {
            "pk": _run_key(run.id)[0],
            "sk": "-",
            "seq": seq,
            "body": run.model_dump_json(),
            "g1pk": f"sruns#{run.schedule_id}",
            "g1sk": pad(seq),
        }
        if run.status is RunStatus.RUNNING:
            item.update({"g2pk": RUNNING, "g2sk": pad(seq)})
        self._unit.put(item, new=new)

    def finish(self, run: ScheduleRun) -> None:
        """Store how a claimed run went."""
        item = self._unit.get(*_run_key(run.id))
        if item is not None:
            self._write_run(run, item["seq"])

    def get_run(self, run_id: str) -> ScheduleRun | None:
        """One run, or None."""
        item = self._unit.get(*_run_key(run_id))
        return ScheduleRun.model_validate_json(item["body"]) if item else None

    def runs_page(self, schedule_id: str, cursor: str | None, limit: int) -> Page[ScheduleRun]:
        """A page of one schedule's runs, newest first."""
        limit = check_limit(limit)
        start = None
        if cursor:
            seq, run_id = self._cursors.decode(cursor, RUN_SORT, int)
            start = {"pk": _run_key(run_id)[0], "sk": "-", "g1pk": f"sruns#{schedule_id}"}
            start["g1sk"] = pad(int(seq))
        items, last = self._unit.page(
            f"sruns#{schedule_id}", index="g1", forward=False, limit=limit, start=start
        )
        runs = parse_all(items, ScheduleRun.model_validate_json)
        after = None
        if last is not None:
            after = self._cursors.encode(RUN_SORT, items[-1]["seq"], runs[-1].id)
        return Page(items=runs, next_cursor=after)

    def last_runs(self, schedule_ids: Iterable[str]) -> dict[str, ScheduleRun]:
        """The newest run of each schedule named that has one."""
        found = {}
        for schedule_id in schedule_ids:
            items, _ = self._unit.page(
                f"sruns#{schedule_id}", index="g1", forward=False, limit=1, start=None
            )
            if items:
                found[schedule_id] = ScheduleRun.model_validate_json(items[0]["body"])
        return found

    def running(self) -> list[ScheduleRun]:
        """Runs claimed and not finished (a worker stopped while running them)."""
        items = self._unit.query(RUNNING, index="g2")
        runs = parse_all(items, ScheduleRun.model_validate_json)
        return [r for r in runs if r.status is RunStatus.RUNNING]
