"""History export: every execution matching the list filters, as CSV or JSON rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from drorch.domain.executions import Execution
from drorch.domain.rto import rto_figures
from drorch.ports.execution_store import ExecutionQuery
from drorch.ports.store import Store

PAGE = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# An export is bounded like every answer: this many executions, newest first.
MAX_ROWS = 10_000
COLUMNS = (
    "id",
    "plan_id",
    "plan_name",
    "type",
    "status",
    "cleanup_status",
    "started_by",
    "servers",
    "servers_launched",
    "servers_failed",
    "created_at",
    "started_at",
    "ended_at",
    "duration_seconds",
    "rto_target_minutes",
    "rto_achieved_seconds",
    "paused_seconds",
    "within_rto",
    "leftovers",
)


def export_rows(
    *,
    store: Store,
    now: datetime,
    plan_id: str | None = None,
    status: str | None = None,
    type: str | None = None,
) -> list[dict[str, Any]]:
    """One row per execution matching the filters, newest first, at most MAX_ROWS."""
    rows: list[dict[str, Any]] = []
    for execution in _executions(store, plan_id, status, type):
        rows.append(row_of(execution, now))
        if len(rows) >= MAX_ROWS:
            break
    return rows


def _executions(
    store: Store, plan_id: str | None, status: str | None, type: str | None
) -> Iterator[Execution]:
    cursor: str | None = None
    while True:
        query = ExecutionQuery(plan_id=plan_id, status=status, type=type, limit=PAGE, cursor=cursor)
        with store.read() as uow:
            page = uow.executions.page(query)
            found = [uow.executions.get(s.id) for s in page.items]
        yield from (e for e in found if e is not None)
        cursor = page.next_cursor
        if not cursor:
            return


def row_of(ex: Execution, now: datetime) -> dict[str, Any]:
    """The export row of one execution (JSON-ready values)."""
    rto = rto_figures(ex, now)
    servers = ex.servers()
    duration = None
    if ex.started_at:
        duration = round(((ex.ended_at or now) - ex.started_at).total_seconds(), 3)
    return {
        "id": ex.id,
        "plan_id": ex.plan_id,
        "plan_name": ex.plan_name,
        "type": ex.type,
        "status": ex.status,
        "cleanup_status": ex.cleanup_status,
        "started_by": ex.started_by,
        "servers": len(servers),
        "servers_launched": sum(1 for s in servers if s.launch_status == "LAUNCHED"),
        "servers_failed": sum(1 for s in servers if s.launch_status == "FAILED"),
        "created_at": _iso(ex.created_at),
        "started_at": _iso(ex.started_at),
        "ended_at": _iso(ex.ended_at),
        "duration_seconds": duration,
        "rto_target_minutes": ex.snapshot.plan.rto_minutes,
        "rto_achieved_seconds": rto.achieved_seconds,
        "paused_seconds": rto.paused_seconds,
        "within_rto": rto.within_rto,
        "leftovers": list(ex.leftovers),
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with a header row; empty cells for nulls, leftovers joined by spaces."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row[k]) for k in COLUMNS})
    return out.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    """A JSON document `{"items": [...]}` of the rows."""
    return json.dumps({"items": rows, "count": len(rows)}, indent=1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # A spreadsheet would run `=...` from a plan name as a formula; quoted, it is text.
        return "'" + value
    return str(value)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None
