"""DynamoDB repository of readiness runs: a partition per plan, plus each plan's latest."""

from __future__ import annotations

from drorch.adapters.storage.dynamodb.common import next_seq, pad
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.readiness import ReadinessRun
from drorch.ports.store import Page

SORT = "-seq"
LATEST = "ready-latest"


def _runs(plan_id: str) -> str:
    return f"ready#{plan_id}"


def forget_plan(unit: Unit, plan_id: str) -> None:
    """Delete a plan's runs with it (a long history is deleted ahead, in batches)."""
    for item in unit.query(_runs(plan_id)):
        unit.delete(item["pk"], item["sk"], ahead=True)
    unit.delete(LATEST, plan_id)


class DynamoReadiness:
    """Appends runs and reads a plan's history, newest first."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors

    def add(self, run: ReadinessRun) -> ReadinessRun:
        """Keep a run; returns it with the sequence number it was given."""
        seq = next_seq(self._unit, "readiness")
        stored = run.model_copy(update={"seq": seq})
        body = stored.model_dump_json()
        self._unit.put({"pk": _runs(run.plan_id), "sk": pad(seq), "body": body}, new=True)
        self._unit.put({"pk": LATEST, "sk": run.plan_id, "body": body, "seq": seq})
        return stored

    def latest(self, plan_id: str) -> ReadinessRun | None:
        """The plan's newest run, or None when it was never checked."""
        item = self._unit.get(LATEST, plan_id)
        return _run(item) if item else None

    def latest_of_every_plan(self) -> list[ReadinessRun]:
        """The newest run of each plan that has one, by plan name."""
        runs = [_run(i) for i in self._unit.query(LATEST)]
        return sorted(runs, key=lambda r: r.plan_name.lower())

    def page(self, plan_id: str, cursor: str | None, limit: int) -> Page[ReadinessRun]:
        """A page of the plan's runs, newest first."""
        limit = check_limit(limit)
        start = None
        if cursor:
            seq, _ = self._cursors.decode(cursor, SORT, int)
            start = {"pk": _runs(plan_id), "sk": pad(int(seq))}
        items, last = self._unit.page(
            _runs(plan_id), index=None, forward=False, limit=limit, start=start
        )
        runs = [_run(i) for i in items]
        after = self._cursors.encode(SORT, runs[-1].seq, runs[-1].id) if last else None
        return Page(items=runs, next_cursor=after)


def _run(item: Item) -> ReadinessRun:
    return ReadinessRun.model_validate_json(item["body"])
