"""The due-time queue and leases of executions, and the Step Functions driver's task token."""

from __future__ import annotations

from datetime import datetime

from drorch.adapters.storage.dynamodb import records
from drorch.adapters.storage.dynamodb.common import FAR, joined, parse_ts, ts
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.errors import ConflictError
from drorch.ports.execution_store import Lease, LeaseLost


def _queue_key(execution_id: str) -> tuple[str, str]:
    return f"exq#{execution_id}", "-"


class DueQueue:
    """One `exq#<id>` item per execution: due time (index g1) and lease (index g2)."""

    _unit: Unit

    # -- due-time queue and leases ----------------------------------------------------

    def schedule(self, execution_id: str, due_at: datetime) -> None:
        """Make an execution due at `due_at` (earlier wins), keeping any lease."""
        item = self._unit.get(*_queue_key(execution_id))
        due = ts(due_at)
        if item is not None:
            due = min(due, item["due"])
        self._write_queue(execution_id, due, item)

    def _write_queue(
        self,
        execution_id: str,
        due: str,
        old: Item | None,
        owner: str | None = "",
        until: str | None = "",
        *,
        now: bool = False,
    ) -> Item:
        # owner/until "" keep the old lease; None clears it.
        keep_owner = old.get("owner") if old else None
        keep_until = old.get("until") if old else None
        owner = keep_owner if owner == "" else owner
        until = keep_until if until == "" else until
        pk, sk = _queue_key(execution_id)
        item: Item = {"pk": pk, "sk": sk, "id": execution_id, "due": due, "owner": owner}
        item.update({"until": until, "g1pk": "due", "g1sk": joined(due, execution_id)})
        if owner is not None and until is not None:
            item.update({"g2pk": "lease", "g2sk": joined(until, execution_id)})
        if now:
            return self._unit.put_now(item)
        self._unit.put(item)
        return item

    def claim_due(
        self, *, owner: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[str]:
        """Lease up to `limit` due executions whose lease is free or expired.

        Each lease is its own conditional write, made at once: a worker that loses one
        race still gets the others (the store-wide transaction would refuse them all).
        """
        table, now_ts, until = self._unit.table, ts(now), ts(lease_until)
        taken: list[str] = []
        for found in self._unit.query("due", index="g1", upto=joined(now_ts, "\x7f")):
            item = table.get(found["pk"], found["sk"])  # the index may lag the table
            if item is None or item["due"] > now_ts:
                continue
            if item.get("owner") is not None and item.get("until", "") >= now_ts:
                continue
            leased = {**item, "owner": owner, "until": until, "due": until}
            leased.update({"g1sk": joined(until, item["id"]), "g2pk": "lease"})
            leased["g2sk"] = joined(until, item["id"])
            leased["rev"] = records.dumps([owner, until])
            try:
                table.transact([table.put_op(leased, ("rev = :r", {":r": item.get("rev", "")}))])
            except ConflictError:
                continue
            taken.append(item["id"])
            if len(taken) == limit:
                break
        return taken

    def claim(self, execution_id: str, *, owner: str, now: datetime, lease_until: datetime) -> bool:
        """Lease one execution if its lease is free, expired or already ours."""
        item = self._unit.get(*_queue_key(execution_id))
        if item is None:
            return False
        holder, until = item.get("owner"), item.get("until")
        if holder is not None and holder != owner and (until or "") >= ts(now):
            return False
        woken = holder is not None and until is not None and item["due"] < until
        due = item["due"] if woken else ts(lease_until)
        # Written at once and conditioned on the read, as SQLite's writer lock decides it:
        # of two workers claiming one lease, the loser is told False, not a conflict later.
        try:
            self._write_queue(execution_id, due, item, owner, ts(lease_until), now=True)
        except ConflictError:
            return False
        self._guard_lease(execution_id)
        return True

    def holds(self, execution_id: str, *, owner: str, now: datetime) -> bool:
        """True while `owner` holds an unexpired lease on the execution."""
        item = self._unit.get(*_queue_key(execution_id))
        held = item is not None and item.get("owner") == owner and item["until"] >= ts(now)
        if held:
            self._guard_lease(execution_id)
        return held

    def _guard_lease(self, execution_id: str) -> None:
        """The unit's commit needs the lease as read: taken over meanwhile, it is lease-lost."""
        self._unit.guard(_queue_key(execution_id), lambda: LeaseLost(execution_id))

    def release(self, execution_id: str, *, owner: str, due_at: datetime | None) -> bool:
        """Give the lease back and set the next due time (None: the engine is done)."""
        item = self._unit.get(*_queue_key(execution_id))
        if item is None or item.get("owner") != owner:
            return False
        woken = item.get("until") is not None and item["due"] < item["until"]
        if due_at is None and not woken:
            self._unit.delete(*_queue_key(execution_id))
            return True
        new_due = ts(due_at) if due_at is not None else FAR
        due = min(item["due"], new_due) if woken else new_due
        self._write_queue(execution_id, due, item, None, None)
        return True

    def leases(self) -> dict[str, str]:
        """Execution id -> lease owner, for every execution currently leased."""
        return {i["id"]: i["owner"] for i in self._lease_items()}

    def _lease_items(self) -> list[Item]:
        return [i for i in self._unit.query("lease", index="g2") if i.get("owner") is not None]

    def lease_rows(self) -> list[Lease]:
        """Every lease held now or left behind, with its expiry."""
        return [Lease(i["id"], i["owner"], parse_ts(i["until"])) for i in self._lease_items()]

    # -- the Step Functions driver's task token ------------------------------------------

    def set_wake_token(self, execution_id: str, token: str | None) -> None:
        """Keep the task token of the execution's current Sleep (None clears it)."""
        if token is None:
            self._unit.delete(f"exw#{execution_id}", "-")
        else:
            self._unit.put({"pk": f"exw#{execution_id}", "sk": "-", "token": token})

    def wake_token(self, execution_id: str) -> str | None:
        """The task token that wakes the execution's Sleep, if one is stored."""
        item = self._unit.get(f"exw#{execution_id}", "-")
        return str(item["token"]) if item else None

    def next_due(self) -> datetime | None:
        """The earliest due time in the queue."""
        items, _ = self._unit.page("due", index="g1", forward=True, limit=1, start=None)
        return parse_ts(items[0]["due"]) if items else None
