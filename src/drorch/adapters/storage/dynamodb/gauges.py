"""The metrics gauges on DynamoDB: executions by type and status, the engine's queue.

Executions are counted on write: the unit that adds an execution or changes its status
moves a counter item in the same commit (an atomic ADD), so a scrape reads one item. The
counters are marked `seeded` when the table is made, or at the first scrape that finds no
execution (a table the stack made); a table that already held executions from before the
counters is counted from the listing index instead (a query per scrape).
"""

from __future__ import annotations

from datetime import datetime

from drorch.adapters.storage.dynamodb.common import joined, parse_ts, ts
from drorch.adapters.storage.dynamodb.table import Table
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.ports.metrics import EngineQueue

GAUGE_KEY = ("gauge", "executions")
_SEP = "|"


def count_execution(unit: Unit, kind: str, status: str, by: int) -> None:
    """Move the count of (type, status) in the unit's commit."""
    unit.add_to(*GAUGE_KEY, _SEP.join(("x", kind, status)), by)


def seed(table: Table) -> None:
    """Mark the counters exact: taken when there is no execution to count yet.

    A SET of the mark only, so the counts added by commits meanwhile stay.
    """
    table.call(
        "update_item",
        Key={"pk": {"S": GAUGE_KEY[0]}, "sk": {"S": GAUGE_KEY[1]}},
        UpdateExpression="SET seeded = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )


def execution_counts(table: Table) -> dict[tuple[str, str], int]:
    """(type, status) -> executions: the counters, else a count of the listing index."""
    item = table.get(*GAUGE_KEY)
    if item is None or not item.get("seeded"):
        counted = _counted(table)
        if not counted:
            # No execution yet (a table the stack made): every one to come moves the
            # counters in its own commit, so from now on they are exact.
            seed(table)
        return counted
    counts = {}
    for name, value in item.items():
        parts = name.split(_SEP)
        if len(parts) == 3 and parts[0] == "x" and isinstance(value, int) and value > 0:
            counts[(parts[1], parts[2])] = value
    return counts


def _counted(table: Table) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for item in table.query_all("exs", index="g1"):
        key = (str(item["type"]), str(item["status"]))
        counts[key] = counts.get(key, 0) + 1
    return counts


def engine_queue(table: Table, now: datetime) -> EngineQueue:
    """Due and unleased executions, leased ones, the oldest due time: two bounded queries.

    The due index is read up to `now` only (the backlog), the lease index holds only the
    executions leased now: neither grows with the executions the store keeps.
    """
    due = [
        i
        for i in table.query_all("due", index="g1", upto=joined(ts(now), "\x7f"))
        if i.get("owner") is None
    ]
    leased = [i for i in table.query_all("lease", index="g2") if i.get("owner") is not None]
    oldest = min((i["due"] for i in due), default=None)
    return EngineQueue(
        due=len(due), leased=len(leased), oldest_due_at=parse_ts(oldest) if oldest else None
    )
