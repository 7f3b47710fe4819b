"""DynamoDB repository of executions, timelines, commands, intents, claims, capacity, leases."""

from __future__ import annotations

from collections.abc import Sequence

from drorch.adapters.storage.dynamodb import records
from drorch.adapters.storage.dynamodb.common import (
    decode_cursor,
    encode_cursor,
    next_seq,
    pad,
)
from drorch.adapters.storage.dynamodb.gauges import count_execution
from drorch.adapters.storage.dynamodb.queue import DueQueue
from drorch.adapters.storage.dynamodb.records import partition
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.execution_records import ExecutionChanges
from drorch.domain.executions import (
    Command,
    Event,
    Execution,
    ExecutionSummary,
    Intent,
    IntentState,
)
from drorch.domain.statuses import ACTIVE_STATUSES
from drorch.errors import ConflictError
from drorch.ports.execution_store import ExecutionQuery
from drorch.ports.store import Page

OPEN_INTENTS = ("OPEN", "STARTED")
# A save writing more records than this lands them ahead of its header (see records.py).
ATOMIC_RECORDS = 40
EVENTS_AHEAD = 20
# A claim whose execution has no header this long after it was written is an orphan: the
# start that wrote it died before its header (the commit point) landed. Starts take seconds.
CLAIM_GRACE_SECONDS = 300


def _claim_key(server_id: str) -> tuple[str, str]:
    return f"claim#{server_id}", "-"


class DynamoExecutions(DueQueue):
    """Executions as items of one partition each, plus their side items."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors

    # -- executions ---------------------------------------------------------------

    def add(self, execution: Execution) -> None:
        """Insert a new execution; an active one claims its servers (ConflictError if held)."""
        ex = execution
        if self._unit.get(partition(ex.id), "h") is not None:
            raise ConflictError(f"execution {ex.id} exists already")
        claims = self._claims(ex) if ex.status in ACTIVE_STATUSES else []
        body = records.all_items(ex)
        big = len(body) + len(claims) > ATOMIC_RECORDS
        header, rest = body[0], body[1:]
        for item in rest:
            # Written ahead when big: invisible until the header (the commit point) lands.
            self._unit.put(item, ahead=big)
        for item in claims:
            self._unit.put(item, new=True, ahead=big)
        self._unit.put(header, new=True)
        count_execution(self._unit, ex.type, ex.status, 1)
        if big:
            keys = [(i["pk"], i["sk"]) for i in rest]
            self._unit.undo.append(lambda: self._unit.table.batch_write([], keys))

    def _claims(self, ex: Execution) -> list[Item]:
        """One claim per server, refused when another active execution holds one."""
        ids = [s.source_server_id for s in ex.snapshot.servers]
        found = self._unit.get_many(_claim_key(i) for i in ids)
        held = self._held(found)
        if held:
            first = next(iter(held.items()))
            raise ConflictError(
                f"{len(held)} server(s) are in another active execution, e.g. "
                f"{first[0]} in {first[1]}",
                conflicts=[{"source_server_id": s, "execution_id": e} for s, e in held.items()],
            )
        at = int(self._unit.table.clock())
        # A claim read as present is replaced only at the revision read (new=True keeps
        # that condition): of two starts taking over one orphan, one commits.
        return [
            {"pk": f"claim#{i}", "sk": "-", "execution": ex.id, "at": at}
            | {"g1pk": "claims", "g1sk": i}
            for i in ids
        ]

    def _held(self, claims: dict[tuple[str, str], Item]) -> dict[str, str]:
        """Server id -> execution for the claims that still hold their server."""
        holders = {k[0].removeprefix("claim#"): c for k, c in claims.items()}
        executions = {c["execution"] for c in holders.values()}
        headers = self._unit.get_many((partition(e), "h") for e in executions)
        live = {k[0].removeprefix("ex#") for k, h in headers.items() if h["active"]}
        missing = executions - {k[0].removeprefix("ex#") for k in headers}
        cutoff = self._unit.table.clock() - CLAIM_GRACE_SECONDS
        # Ended execution: free (its save died before the clean-up). No header: a start in
        # flight, held, until the grace period says it died (an orphan: free).
        return {
            s: c["execution"]
            for s, c in holders.items()
            if c["execution"] in live
            or (c["execution"] in missing and int(c.get("at", 0)) > cutoff)
        }

    def get(self, execution_id: str) -> Execution | None:
        """One execution assembled from its items, or None."""
        header = self._unit.get(partition(execution_id), "h")
        if header is None:
            return None
        items = [i for i in self._unit.query(partition(execution_id)) if i["sk"] != "h"]
        return records.assemble(header, items)

    def version(self, execution_id: str) -> int | None:
        """The stored version of an execution (None when there is none)."""
        header = self._unit.get(partition(execution_id), "h")
        return int(header["ver"]) if header else None

    def summary(self, execution_id: str) -> ExecutionSummary | None:
        """The listing row of one execution, from its header item alone, or None."""
        header = self._unit.get(partition(execution_id), "h")
        return ExecutionSummary.model_validate_json(header["summary"]) if header else None

    def save(
        self,
        execution: Execution,
        *,
        expected_version: int,
        changes: ExecutionChanges | None = None,
    ) -> None:
        """Write the header at `expected_version` (ConflictError otherwise) and the changes."""
        ex = execution
        header = self._current_header(ex.id, expected_version)
        if changes is None:
            items = records.record_items(ex, None, None, None)
        else:
            items = records.record_items(ex, changes.waves, changes.servers, changes.batches)
        ending = ex.status not in ACTIVE_STATUSES and bool(header["active"])
        claims = self._own_claims(ex) if ending else []
        big = len(items) + len(claims) > ATOMIC_RECORDS
        if big:
            old = self._unit.get_many((i["pk"], i["sk"]) for i in items)
            items = [
                records.with_previous(i, old.get((i["pk"], i["sk"])), expected_version)
                for i in items
            ]
            self._unit.before.append(lambda: self._mark_pending(header, expected_version))
        for item in items:
            self._unit.put(item, ahead=big)
        for key in claims:
            self._unit.delete(*key, ahead=big)
        self._unit.put(records.header_item(ex))
        if header["status"] != ex.status:
            count_execution(self._unit, header["type"], header["status"], -1)
            count_execution(self._unit, ex.type, ex.status, 1)

    def _mark_pending(self, header: Item, expected_version: int) -> None:
        """At commit, before the records go ahead: mark the header, undo it on failure."""
        table = self._unit.table
        rev, stamp = records.mark_pending(table, header["pk"].removeprefix("ex#"), expected_version)
        self._unit.rebase((header["pk"], "h"), rev)
        marked = {**header, "ver": expected_version, "pending": stamp}
        self._unit.undo.append(lambda: records.repair(table, marked))

    def _current_header(self, execution_id: str, expected_version: int) -> Item:
        header = self._unit.get(partition(execution_id), "h")
        if header is None or header["ver"] != expected_version:
            raise ConflictError(f"execution {execution_id} changed meanwhile; advance again")
        if header.get("pending") is not None:
            if not records.pending_is_stale(header):
                raise ConflictError(f"execution {execution_id} is being saved; advance again")
            records.repair(self._unit.table, header)
            header = self._unit.table.get(partition(execution_id), "h") or header
            self._unit.rebase((partition(execution_id), "h"), header["rev"])
        return header

    def _own_claims(self, ex: Execution) -> list[tuple[str, str]]:
        ids = [s.source_server_id for s in ex.snapshot.servers]
        found = self._unit.get_many(_claim_key(i) for i in ids)
        return [k for k, c in found.items() if c["execution"] == ex.id]

    def page(self, query: ExecutionQuery) -> Page[ExecutionSummary]:
        """Summaries, newest first, filtered by plan, status and type."""
        limit = check_limit(query.limit)
        start = decode_cursor(self._cursors, query.cursor, "-created_at")
        pairs = (("plan", query.plan_id), ("status", query.status), ("type", query.type))
        items, last = self._unit.page(
            "exs",
            index="g1",
            forward=False,
            limit=limit,
            start=start,
            select=lambda found: [
                i for i in found if all(v is None or i.get(n) == v for n, v in pairs)
            ],
        )
        summaries = [ExecutionSummary.model_validate_json(i["summary"]) for i in items]
        cursor = encode_cursor(self._cursors, "-created_at", last) if last else None
        return Page(items=summaries, next_cursor=cursor)

    def active_summaries(self) -> list[ExecutionSummary]:
        """Summaries of every execution not yet ended."""
        items = self._unit.query("ex-active", index="g2")
        return [ExecutionSummary.model_validate_json(i["summary"]) for i in items if i["active"]]

    def busy_servers(self) -> dict[str, str]:
        """Server id -> id of the execution that holds it (its claim items, orphans left out)."""
        items = self._unit.query("claims", index="g1")
        executions = {i["execution"] for i in items}
        headers = self._unit.get_many((partition(e), "h") for e in executions)
        cutoff = self._unit.table.clock() - CLAIM_GRACE_SECONDS
        return {
            i["g1sk"]: i["execution"]
            for i in items
            if (partition(i["execution"]), "h") in headers or int(i.get("at", 0)) > cutoff
        }

    # -- timeline and commands ------------------------------------------------------

    def _last_seq(self, pk: str) -> int:
        items, _ = self._unit.page(pk, index=None, forward=False, limit=1, start=None)
        return int(items[0]["sk"]) if items else 0

    def append_events(self, execution_id: str, events: Sequence[Event]) -> None:
        """Append events, numbering them after the last stored one."""
        if not events:
            return
        pk = f"exe#{execution_id}"
        last = self._last_seq(pk)
        ahead = len(events) > EVENTS_AHEAD
        for i, event in enumerate(events, start=1):
            numbered = event.model_copy(update={"seq": last + i})
            position = next_seq(self._unit, "timeline")
            item = {
                "pk": pk,
                "sk": f"{last + i:010d}",
                "body": numbered.model_dump_json(),
                "kind": event.kind,
                "execution": execution_id,
                "made": int(self._unit.table.clock()),  # the feed's age of a hole before it
                "g1pk": "timeline",
                "g1sk": pad(position),
            }
            self._unit.put(item, new=True, ahead=ahead)

    def events_page(self, execution_id: str, cursor: str | None, limit: int) -> Page[Event]:
        """A page of the timeline, oldest first."""
        limit = check_limit(limit)
        after = 0
        if cursor:
            after, _ = self._cursors.decode(cursor, "seq", int)
        events = self.events_since(execution_id, after, limit + 1)
        more = len(events) > limit
        events = events[:limit]
        next_cursor = self._cursors.encode("seq", events[-1].seq, execution_id) if more else None
        return Page(items=events, next_cursor=next_cursor)

    def events_since(self, execution_id: str, after_seq: int, limit: int) -> list[Event]:
        """Events numbered above `after_seq`, oldest first."""
        pk = f"exe#{execution_id}"
        start = {"pk": pk, "sk": f"{after_seq:010d}"} if after_seq > 0 else None
        items, _ = self._unit.page(pk, index=None, forward=True, limit=limit, start=start)
        return [Event.model_validate_json(i["body"]) for i in items]

    def add_command(self, execution_id: str, command: Command) -> None:
        """Queue an operator command for the engine."""
        pk = f"exc#{execution_id}"
        seq = self._last_seq(pk) + 1
        body = command.model_copy(update={"seq": seq}).model_dump_json()
        self._unit.put({"pk": pk, "sk": f"{seq:010d}", "body": body}, new=True)

    def commands(self, execution_id: str) -> list[Command]:
        """Queued commands in arrival order."""
        items = self._unit.query(f"exc#{execution_id}")
        return [Command.model_validate_json(i["body"]) for i in items]

    def drop_commands(self, execution_id: str, up_to_seq: int) -> None:
        """Forget commands the engine has applied."""
        for item in self._unit.query(f"exc#{execution_id}"):
            if int(item["sk"]) <= up_to_seq:
                self._unit.delete(item["pk"], item["sk"])

    # -- intents and capacity -------------------------------------------------------

    def add_intent(self, intent: Intent) -> None:
        """Record an intent before the DRS call it describes."""
        self._write_intent(intent, order=next_seq(self._unit, "intents"), new=True)

    def _write_intent(self, intent: Intent, *, order: int, new: bool = False) -> None:
        sk = f"{intent.batch_id}#{intent.attempt:04d}"
        body = intent.model_dump_json()
        item = {"pk": f"exi#{intent.execution_id}", "sk": sk, "order": order, "body": body}
        self._unit.put(item, new=new)
        # Open intents of a scope sit in one partition, read strongly consistent.
        scope = f"openint#{intent.account_id}#{intent.region}"
        if intent.state in OPEN_INTENTS:
            self._unit.put({"pk": scope, "sk": f"{intent.execution_id}#{sk}", "body": body})
        else:
            self._unit.delete(scope, f"{intent.execution_id}#{sk}")

    def capacity_version(self, account_id: str, region: str) -> int:
        """The version of a scope's capacity record; a reservation is conditioned on it."""
        item = self._unit.get(f"cap#{account_id}#{region}", "-")
        return int(item["version"]) if item else 0

    def reserve(self, intent: Intent, *, expected_version: int) -> None:
        """Record an intent that holds capacity, if the scope's version is still the one read."""
        current = self.capacity_version(intent.account_id, intent.region)
        if current != expected_version:
            raise ConflictError(
                f"capacity of {intent.account_id}/{intent.region} changed meanwhile; reserve again"
            )
        pk = f"cap#{intent.account_id}#{intent.region}"
        # Conditioned on the revision read: of two reservations at one version, one commits.
        self._unit.put({"pk": pk, "sk": "-", "version": current + 1})
        self.add_intent(intent)

    def update_intent(self, intent: Intent) -> None:
        """Record an intent's outcome (job id, ended, failed)."""
        sk = f"{intent.batch_id}#{intent.attempt:04d}"
        old = self._unit.get(f"exi#{intent.execution_id}", sk)
        if old is not None:
            self._write_intent(intent, order=int(old["order"]))

    def update_intent_state(self, intent: Intent) -> None:
        """Record an intent's state and job id; its launch settings stay as stored."""
        sk = f"{intent.batch_id}#{intent.attempt:04d}"
        old = self._unit.get(f"exi#{intent.execution_id}", sk)
        if old is None:
            return
        stored = Intent.model_validate_json(old["body"])
        kept = intent.model_copy(update={"launch_settings": stored.launch_settings})
        self._write_intent(kept, order=int(old["order"]))

    def intent_heads(self, execution_id: str) -> list[Intent]:
        """The intents of an execution not ENDED, without launch settings, oldest first."""
        return [
            i.model_copy(update={"launch_settings": []})
            for i in self.intents(execution_id)
            if i.state != IntentState.ENDED
        ]

    def intents(self, execution_id: str) -> list[Intent]:
        """Every intent of an execution, oldest first."""
        items = sorted(self._unit.query(f"exi#{execution_id}"), key=lambda i: i["order"])
        return [Intent.model_validate_json(i["body"]) for i in items]

    def open_intents(self, account_id: str, region: str) -> list[Intent]:
        """OPEN and STARTED intents of all executions in one account and Region."""
        items = self._unit.query(f"openint#{account_id}#{region}")
        return [Intent.model_validate_json(i["body"]) for i in items]

    def set_waiting(self, execution_id: str, account_id: str, region: str, on: bool) -> None:
        """Mark (or unmark) an execution as waiting for capacity in a scope."""
        pk = f"wait#{account_id}#{region}"
        if on:
            self._unit.put({"pk": pk, "sk": execution_id})
        else:
            self._unit.delete(pk, execution_id)

    def recovery_waiting(self, account_id: str, region: str) -> set[str]:
        """Ids of RECOVERY executions waiting for capacity in a scope."""
        ids = self.waiting(account_id, region)
        headers = self._unit.get_many((partition(i), "h") for i in ids)
        return {k[0].removeprefix("ex#") for k, h in headers.items() if h["type"] == "RECOVERY"}

    def waiting(self, account_id: str, region: str) -> set[str]:
        """Ids of every execution waiting for capacity in a scope."""
        ids = {i["sk"] for i in self._unit.query(f"wait#{account_id}#{region}")}
        headers = self._unit.get_many((partition(i), "h") for i in ids)
        return {k[0].removeprefix("ex#") for k in headers}

    def last_event(self, execution_id: str) -> Event | None:
        """The newest event of an execution's timeline."""
        items, _ = self._unit.page(
            f"exe#{execution_id}", index=None, forward=False, limit=1, start=None
        )
        return Event.model_validate_json(items[0]["body"]) if items else None

    def uncleaned_drills(self) -> list[ExecutionSummary]:
        """Ended drills whose cleanup never started or left instances behind."""
        found = []
        for item in self._unit.query("exs", index="g1"):
            if item["type"] != "DRILL" or item["active"]:
                continue
            summary = ExecutionSummary.model_validate_json(item["summary"])
            if summary.cleanup_status in ("NOT_STARTED", "INCOMPLETE"):
                found.append(summary)
        return found
