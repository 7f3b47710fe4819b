"""SQLite repository of executions, timelines, commands, intents, leases and due times."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from pydantic import TypeAdapter

from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.adapters.storage.sqlite.execution_queue import ExecutionQueue
from drorch.adapters.storage.sqlite.execution_records import (
    ExecutionRecords,
    WriteMeter,
    record_json,
    with_member,
)
from drorch.adapters.storage.sqlite.intent_heads import intent_head_json, parsed_intent
from drorch.adapters.storage.sqlite.keyset import Select, fetch_page, parse_page
from drorch.domain.execution_records import ExecutionChanges
from drorch.domain.executions import (
    Command,
    Event,
    Execution,
    ExecutionSummary,
    Intent,
)
from drorch.errors import NotFoundError
from drorch.ports.execution_store import ExecutionQuery
from drorch.ports.store import Page

OPEN_INTENTS = ("OPEN", "STARTED")
LIST_SORTS = {"created_at": "t.created_at"}
SUMMARIES = TypeAdapter(list[ExecutionSummary])


class SqliteExecutions(ExecutionQueue):
    """Executions as separate records (header, waves, servers, batches) plus side tables."""

    def __init__(
        self, conn: sqlite3.Connection, cursors: Cursors, meter: WriteMeter | None = None
    ) -> None:
        self._conn = conn
        self._cursors = cursors
        self._meter = meter or WriteMeter()
        self._records = ExecutionRecords(conn, self._meter)

    # -- executions ---------------------------------------------------------------

    def add(self, execution: Execution) -> None:
        """Insert a new execution; an active one claims its servers (ConflictError if held)."""
        self._records.insert(execution)

    def get(self, execution_id: str) -> Execution | None:
        """One execution assembled from its records, or None."""
        return self._records.load(execution_id)

    def version(self, execution_id: str) -> int | None:
        """The stored version of an execution (None when there is none)."""
        return self._records.version(execution_id)

    def summary(self, execution_id: str) -> ExecutionSummary | None:
        """The listing row of one execution (no waves or servers read), or None."""
        row = self._conn.execute(
            "SELECT summary FROM executions WHERE id = ?", (execution_id,)
        ).fetchone()
        return ExecutionSummary.model_validate_json(row["summary"]) if row else None

    def save(
        self,
        execution: Execution,
        *,
        expected_version: int,
        changes: ExecutionChanges | None = None,
    ) -> None:
        """Write the header at `expected_version` (ConflictError otherwise) and the changes.

        `changes` names the records that differ from the stored state (None: all of them);
        an execution that is no longer active gives up its server claims.
        """
        self._records.update(execution, expected_version, changes)

    def page(self, query: ExecutionQuery) -> Page[ExecutionSummary]:
        """Summaries, newest first, filtered by plan, status and type."""
        select = Select("executions", "t.summary")
        for column, value in (("plan_id", query.plan_id), ("status", query.status)):
            if value is not None:
                select.add(f"t.{column} = ?", value)
        if query.type is not None:
            select.add("t.type = ?", query.type)
        # One statement, the page folded into one row (keyset.py), parsed in one call.
        page = fetch_page(
            self._conn,
            select,
            sort="-created_at",
            allowed=LIST_SORTS,
            limit=query.limit,
            cursor=query.cursor,
            cursors=self._cursors,
        )
        return parse_page(page, SUMMARIES)

    def active_summaries(self) -> list[ExecutionSummary]:
        """Summaries of every execution not yet ended."""
        rows = self._conn.execute("SELECT summary FROM executions WHERE active = 1")
        return [ExecutionSummary.model_validate_json(r["summary"]) for r in rows]

    def busy_servers(self) -> dict[str, str]:
        """Server id -> id of the active execution that holds it (its claim rows)."""
        return self._records.claimed()

    # -- timeline and commands ------------------------------------------------------

    def append_events(self, execution_id: str, events: Sequence[Event]) -> None:
        """Append events, numbering them after the last stored one."""
        if not events:
            return
        last = self._max_seq("execution_events", execution_id)
        rows = [
            (execution_id, last + i, e.model_copy(update={"seq": last + i}).model_dump_json())
            for i, e in enumerate(events, start=1)
        ]
        self._conn.executemany("INSERT INTO execution_events VALUES (?, ?, ?)", rows)
        self._meter.count(r[2] for r in rows)

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
        rows = self._conn.execute(
            "SELECT body FROM execution_events WHERE execution_id = ? AND seq > ? "
            "ORDER BY seq LIMIT ?",
            (execution_id, after_seq, limit),
        )
        return [Event.model_validate_json(r["body"]) for r in rows]

    def add_command(self, execution_id: str, command: Command) -> None:
        """Queue an operator command for the engine."""
        seq = self._max_seq("execution_commands", execution_id) + 1
        body = command.model_copy(update={"seq": seq}).model_dump_json()
        self._conn.execute(
            "INSERT INTO execution_commands VALUES (?, ?, ?)", (execution_id, seq, body)
        )

    def commands(self, execution_id: str) -> list[Command]:
        """Queued commands in arrival order."""
        rows = self._conn.execute(
            "SELECT body FROM execution_commands WHERE execution_id = ? ORDER BY seq",
            (execution_id,),
        )
        return [Command.model_validate_json(r["body"]) for r in rows]

    def drop_commands(self, execution_id: str, up_to_seq: int) -> None:
        """Forget commands the engine has applied."""
        self._conn.execute(
            "DELETE FROM execution_commands WHERE execution_id = ? AND seq <= ?",
            (execution_id, up_to_seq),
        )

    def _max_seq(self, table: str, execution_id: str) -> int:
        row = self._conn.execute(
            f"SELECT MAX(seq) FROM {table} WHERE execution_id = ?", (execution_id,)
        ).fetchone()
        return int(row[0] or 0)

    # -- intents and capacity -------------------------------------------------------

    def add_intent(self, intent: Intent) -> None:
        """Record an intent before the DRS call it describes."""
        body = intent_head_json(intent)
        self._meter.count([body])
        self._conn.execute(
            "INSERT INTO execution_intents VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                intent.batch_id,
                intent.attempt,
                intent.execution_id,
                intent.account_id,
                intent.region,
                intent.state,
                body,
            ),
        )
        self._write_intent_settings(intent)

    def capacity_version(self, account_id: str, region: str) -> int:
        """The version of a scope's capacity record; a reservation is conditioned on it."""
        return self._records.capacity_version(account_id, region)

    def reserve(self, intent: Intent, *, expected_version: int) -> None:
        """Record an intent that holds capacity, if the scope's version is still the one read."""
        self._records.bump_capacity(intent, expected_version)
        self.add_intent(intent)

    def update_intent(self, intent: Intent) -> None:
        """Record an intent's outcome (job id, ended, failed) and its launch settings."""
        self.update_intent_state(intent)
        self._write_intent_settings(intent)

    def update_intent_state(self, intent: Intent) -> None:
        """Record an intent's state and job id; its launch-settings records stay as stored."""
        body = intent_head_json(intent)
        self._meter.count([body])
        self._conn.execute(
            "UPDATE execution_intents SET state = ?, body = ? WHERE batch_id = ? AND attempt = ?",
            (intent.state, body, intent.batch_id, intent.attempt),
        )

    def _write_intent_settings(self, intent: Intent) -> None:
        key = (intent.batch_id, intent.attempt)
        if not intent.launch_settings:
            self._conn.execute(
                "DELETE FROM execution_intent_settings WHERE batch_id = ? AND attempt = ?", key
            )
            return
        body = "[" + ",".join(record_json(r) for r in intent.launch_settings) + "]"
        self._meter.count([body])
        self._conn.execute(
            "INSERT INTO execution_intent_settings VALUES (?, ?, ?) ON CONFLICT "
            "(batch_id, attempt) DO UPDATE SET body = excluded.body",
            (*key, body),
        )

    def intents(self, execution_id: str) -> list[Intent]:
        """Every intent of an execution with its launch settings, oldest first."""
        rows = self._conn.execute(
            "SELECT i.body, t.body FROM execution_intents i LEFT JOIN execution_intent_settings t "
            "ON t.batch_id = i.batch_id AND t.attempt = i.attempt WHERE i.execution_id = ? "
            "ORDER BY i.rowid",
            (execution_id,),
        )
        return [
            Intent.model_validate_json(with_member(head, "launch_settings", settings))
            for head, settings in rows
        ]

    def intent_heads(self, execution_id: str) -> list[Intent]:
        """The intents of an execution not ENDED, without launch settings, oldest first."""
        rows = self._conn.execute(
            "SELECT body FROM execution_intents WHERE execution_id = ? AND state != 'ENDED' "
            "ORDER BY rowid",
            (execution_id,),
        )
        return [parsed_intent(r["body"]) for r in rows]

    def open_intents(self, account_id: str, region: str) -> list[Intent]:
        """OPEN and STARTED intents of all executions in one scope, without launch settings."""
        rows = self._conn.execute(
            "SELECT body FROM execution_intents WHERE account_id = ? AND region = ? "
            "AND state IN (?, ?)",
            (account_id, region, *OPEN_INTENTS),
        )
        return [parsed_intent(r["body"]) for r in rows]

    def set_waiting(self, execution_id: str, account_id: str, region: str, on: bool) -> None:
        """Mark (or unmark) an execution as waiting for capacity in a scope."""
        if on:
            self._conn.execute(
                "INSERT OR IGNORE INTO execution_waiting VALUES (?, ?, ?)",
                (execution_id, account_id, region),
            )
        else:
            self._conn.execute(
                "DELETE FROM execution_waiting WHERE execution_id = ? AND account_id = ? "
                "AND region = ?",
                (execution_id, account_id, region),
            )

    def recovery_waiting(self, account_id: str, region: str) -> set[str]:
        """Ids of RECOVERY executions waiting for capacity in a scope."""
        return self._waiting(account_id, region, " AND e.type = 'RECOVERY'")

    def waiting(self, account_id: str, region: str) -> set[str]:
        """Ids of every execution waiting for capacity in a scope."""
        return self._waiting(account_id, region, "")

    def _waiting(self, account_id: str, region: str, extra: str) -> set[str]:
        rows = self._conn.execute(
            "SELECT w.execution_id FROM execution_waiting w JOIN executions e "
            f"ON e.id = w.execution_id WHERE w.account_id = ? AND w.region = ?{extra}",
            (account_id, region),
        )
        return {r["execution_id"] for r in rows}

    def last_event(self, execution_id: str) -> Event | None:
        """The newest event of an execution's timeline."""
        row = self._conn.execute(
            "SELECT body FROM execution_events WHERE execution_id = ? ORDER BY seq DESC LIMIT 1",
            (execution_id,),
        ).fetchone()
        return Event.model_validate_json(row["body"]) if row else None

    def uncleaned_drills(self) -> list[ExecutionSummary]:
        """Ended drills whose cleanup never started or left instances behind."""
        rows = self._conn.execute(
            "SELECT summary FROM executions WHERE type = 'DRILL' AND active = 0 "
            "AND json_extract(summary, '$.cleanup_status') IN ('NOT_STARTED', 'INCOMPLETE') "
            "ORDER BY created_at, id"
        )
        return [ExecutionSummary.model_validate_json(r["summary"]) for r in rows]

    # -- the Step Functions driver's wake-up token ----------------------------------------

    def set_wake_token(self, execution_id: str, token: str | None) -> None:
        """Keep the task token a Sleep state waits on (None: forget it)."""
        if token is None:
            self._conn.execute(
                "DELETE FROM execution_wake_tokens WHERE execution_id = ?", (execution_id,)
            )
            return
        self._conn.execute(
            "INSERT INTO execution_wake_tokens (execution_id, token) VALUES (?, ?) "
            "ON CONFLICT (execution_id) DO UPDATE SET token = excluded.token, "
            "stored_at = excluded.stored_at",
            (execution_id, token),
        )

    def wake_token(self, execution_id: str) -> str | None:
        """The stored task token of an execution, if a Sleep state waits on one."""
        row = self._conn.execute(
            "SELECT token FROM execution_wake_tokens WHERE execution_id = ?", (execution_id,)
        ).fetchone()
        return str(row["token"]) if row else None


def require(repo: SqliteExecutions, execution_id: str) -> Execution:
    """The execution, or NotFoundError."""
    execution = repo.get(execution_id)
    if execution is None:
        raise NotFoundError(f"execution {execution_id} does not exist")
    return execution
