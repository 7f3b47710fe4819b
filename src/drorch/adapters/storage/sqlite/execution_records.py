"""SQLite records of an execution: header, snapshot, waves, servers, batches, claims, capacity.

Each record is its own row, so a save writes the header plus only the rows that changed.
Every guarantee is a conditional write that a DynamoDB adapter can make the same way (a
condition expression in one transaction), never "the writer lock makes it atomic":

* a save is conditioned on the header's version;
* a start inserts one claim row per server: the insert fails when another active
  execution holds one (one active execution per server); claims go when it ends;
* a capacity reservation bumps the scope's version only if it still has the value read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime

from drorch.domain.execution_records import ExecutionChanges, server_positions
from drorch.domain.executions import Execution, Intent, ServerRun, summarize
from drorch.domain.launch_settings import SettingsRecord
from drorch.domain.statuses import ACTIVE_STATUSES
from drorch.errors import ConflictError

SLOT = 1_000_000  # server position = wave position * SLOT + place in the wave


def ts(moment: datetime) -> str:
    """A fixed-width UTC timestamp that sorts as text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_ts(text: str) -> datetime:
    """The datetime of a `ts` string."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


class WriteMeter:
    """Bytes of record bodies written, so benchmarks can report what a run costs the store."""

    def __init__(self) -> None:
        self.bytes = 0
        self.rows = 0

    def count(self, bodies: Iterable[str]) -> None:
        """Add written bodies."""
        for body in bodies:
            self.bytes += len(body)
            self.rows += 1


def header_json(ex: Execution) -> str:
    """The header record: the execution without snapshot, waves and batches."""
    return ex.model_dump_json(exclude={"snapshot", "waves", "batches"})


class ExecutionRecords:
    """Reads and writes the records of executions on one connection."""

    def __init__(self, conn: sqlite3.Connection, meter: WriteMeter) -> None:
        self._conn = conn
        self._meter = meter

    # -- whole executions -----------------------------------------------------------

    def insert(self, ex: Execution) -> None:
        """Write every record of a new execution, claiming its servers if it is active."""
        header = header_json(ex)
        self._conn.execute(
            "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                ex.id,
                ex.plan_id,
                ex.type,
                ex.status,
                int(ex.status in ACTIVE_STATUSES),
                ex.version,
                ts(ex.created_at),
                summarize(ex).model_dump_json(),
                header,
            ),
        )
        if ex.status in ACTIVE_STATUSES:
            self._claim(ex)  # after the header row, which the claim rows reference
        snapshot = ex.snapshot.model_dump_json(exclude={"servers"})
        self._conn.execute("INSERT INTO execution_snapshots VALUES (?, ?)", (ex.id, snapshot))
        servers = [(ex.id, i, s.model_dump_json()) for i, s in enumerate(ex.snapshot.servers)]
        self._conn.executemany("INSERT INTO execution_snapshot_servers VALUES (?, ?, ?)", servers)
        self._meter.count([header, snapshot, *(row[2] for row in servers)])
        self._write_waves(ex, [w.name for w in ex.waves])
        self._write_servers(ex, None, clear=False)
        self._write_batches(ex, [b.batch_id for b in ex.batches])

    def version(self, execution_id: str) -> int | None:
        """The stored version of an execution (None when there is none)."""
        row = self._conn.execute(
            "SELECT version FROM executions WHERE id = ?", (execution_id,)
        ).fetchone()
        return int(row[0]) if row else None

    def load(self, execution_id: str) -> Execution | None:
        """Assemble an execution from its records (one JSON parse of the whole)."""
        row = self._conn.execute(
            "SELECT e.body AS header, s.body AS snapshot FROM executions e "
            "JOIN execution_snapshots s ON s.execution_id = e.id WHERE e.id = ?",
            (execution_id,),
        ).fetchone()
        if row is None:
            return None
        text = _assemble(
            row["header"],
            row["snapshot"],
            self._column("execution_snapshot_servers", execution_id),
            self._waves(execution_id),
            self._column("execution_batches", execution_id),
        )
        return Execution.model_validate_json(text)

    def update(
        self, ex: Execution, expected_version: int, changes: ExecutionChanges | None
    ) -> None:
        """Write the header (conditioned on the version) and the changed records."""
        active = ex.status in ACTIVE_STATUSES
        header = header_json(ex)
        summary = summarize(ex).model_dump_json()
        cur = self._conn.execute(
            "UPDATE executions SET status=?, active=?, version=?, summary=?, body=? "
            "WHERE id=? AND version=?",
            (ex.status, int(active), ex.version, summary, header, ex.id, expected_version),
        )
        if cur.rowcount != 1:
            raise ConflictError(f"execution {ex.id} changed meanwhile; advance again")
        self._meter.count([header, summary])
        if changes is None:
            self._write_waves(ex, [w.name for w in ex.waves])
            self._write_servers(ex, None)
            self._write_batches(ex, [b.batch_id for b in ex.batches])
        else:
            self._write_waves(ex, changes.waves)
            self._write_servers(ex, set(changes.servers), set(changes.same_settings))
            self._write_batches(ex, changes.batches)
        if not active:
            self._conn.execute("DELETE FROM execution_claims WHERE execution_id = ?", (ex.id,))

    # -- claims and capacity ----------------------------------------------------------

    def claimed(self) -> dict[str, str]:
        """Server id -> the active execution holding it."""
        rows = self._conn.execute("SELECT source_server_id, execution_id FROM execution_claims")
        return {r[0]: r[1] for r in rows}

    def capacity_version(self, account_id: str, region: str) -> int:
        """The version of a scope's capacity record (0 before its first reservation)."""
        row = self._conn.execute(
            "SELECT version FROM execution_capacity WHERE account_id = ? AND region = ?",
            (account_id, region),
        ).fetchone()
        return int(row[0]) if row else 0

    def bump_capacity(self, intent: Intent, expected_version: int) -> None:
        """Move the scope's version on from `expected_version`, or ConflictError."""
        scope = (intent.account_id, intent.region)
        if expected_version == 0:
            cur = self._conn.execute(
                "INSERT INTO execution_capacity VALUES (?, ?, 1) ON CONFLICT DO NOTHING", scope
            )
        else:
            cur = self._conn.execute(
                "UPDATE execution_capacity SET version = version + 1 "
                "WHERE account_id = ? AND region = ? AND version = ?",
                (*scope, expected_version),
            )
        if cur.rowcount != 1:
            raise ConflictError(
                f"capacity of {intent.account_id}/{intent.region} changed meanwhile; reserve again"
            )

    def _claim(self, ex: Execution) -> None:
        ids = [s.source_server_id for s in ex.snapshot.servers]
        held = self._holders(ids)
        if held:
            first = next(iter(held.items()))
            raise ConflictError(
                f"{len(held)} server(s) are in another active execution, e.g. "
                f"{first[0]} in {first[1]}",
                conflicts=[{"source_server_id": s, "execution_id": e} for s, e in held.items()],
            )
        try:
            self._conn.executemany(
                "INSERT INTO execution_claims VALUES (?, ?)", [(i, ex.id) for i in ids]
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(f"a server of {ex.id} was claimed meanwhile") from exc

    def _holders(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT source_server_id, execution_id FROM execution_claims "
                f"WHERE source_server_id IN ({marks})",
                chunk,
            )
            found.update({r[0]: r[1] for r in rows})
        return found

    # -- record rows ------------------------------------------------------------------

    def _write_waves(self, ex: Execution, names: Sequence[str]) -> None:
        if not names:
            return
        wanted = set(names)
        rows = [
            (ex.id, w.name, i, w.status, w.model_dump_json(exclude={"servers"}))
            for i, w in enumerate(ex.waves)
            if w.name in wanted
        ]
        self._conn.executemany(
            "INSERT INTO execution_waves VALUES (?, ?, ?, ?, ?) ON CONFLICT "
            "(execution_id, name) DO UPDATE SET status = excluded.status, body = excluded.body",
            rows,
        )
        self._meter.count(r[4] for r in rows)

    def _write_servers(
        self,
        ex: Execution,
        ids: set[str] | None,
        same_settings: AbstractSet[str] = frozenset(),
        *,
        clear: bool = True,
    ) -> None:
        if ids is not None and not ids:
            return
        places = server_positions(ex)
        chosen = sorted(places.values()) if ids is None else sorted(places[i] for i in ids)
        rows, settings = [], []
        for i, p in chosen:
            wave = ex.waves[i]
            s = wave.servers[p]
            rows.append(
                (ex.id, s.source_server_id, wave.name, i * SLOT + p, s.status, server_json(s))
            )
            if s.source_server_id not in same_settings:
                settings.append((s.source_server_id, s.launch_settings))
        self._conn.executemany(
            "INSERT INTO execution_servers VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT "
            "(execution_id, source_server_id) DO UPDATE SET status = excluded.status, "
            "body = excluded.body",
            rows,
        )
        self._meter.count(r[5] for r in rows)
        self._write_server_settings(ex.id, settings, clear)

    def _write_server_settings(
        self, execution_id: str, settings: list[tuple[str, SettingsRecord | None]], clear: bool
    ) -> None:
        """Each server's launch-settings record: written when it changed, gone when cleared."""
        kept = [(execution_id, sid, record_json(r)) for sid, r in settings if r is not None]
        self._conn.executemany(
            "INSERT INTO execution_server_settings VALUES (?, ?, ?) ON CONFLICT "
            "(execution_id, source_server_id) DO UPDATE SET body = excluded.body",
            kept,
        )
        self._meter.count(r[2] for r in kept)
        cleared = [(execution_id, sid) for sid, r in settings if r is None and clear]
        self._conn.executemany(
            "DELETE FROM execution_server_settings WHERE execution_id = ? AND source_server_id = ?",
            cleared,
        )

    def _write_batches(self, ex: Execution, ids: Sequence[str]) -> None:
        if not ids:
            return
        wanted = set(ids)
        rows = [
            (ex.id, b.batch_id, i, b.state, b.model_dump_json())
            for i, b in enumerate(ex.batches)
            if b.batch_id in wanted
        ]
        self._conn.executemany(
            "INSERT INTO execution_batches VALUES (?, ?, ?, ?, ?) ON CONFLICT "
            "(execution_id, batch_id) DO UPDATE SET state = excluded.state, body = excluded.body",
            rows,
        )
        self._meter.count(r[4] for r in rows)

    def _column(self, table: str, execution_id: str) -> list[str]:
        rows = self._conn.execute(
            f"SELECT body FROM {table} WHERE execution_id = ? ORDER BY position", (execution_id,)
        )
        return [r[0] for r in rows]

    def _waves(self, execution_id: str) -> list[tuple[str, list[str]]]:
        servers: dict[str, list[str]] = {}
        rows = self._conn.execute(
            "SELECT s.wave, s.body, t.body FROM execution_servers s "
            "LEFT JOIN execution_server_settings t ON t.execution_id = s.execution_id "
            "AND t.source_server_id = s.source_server_id WHERE s.execution_id = ? "
            "ORDER BY s.position",
            (execution_id,),
        )
        for wave, body, settings in rows:
            servers.setdefault(wave, []).append(with_member(body, "launch_settings", settings))
        return [(body, servers.get(name, [])) for name, body in self._wave_rows(execution_id)]

    def _wave_rows(self, execution_id: str) -> list[tuple[str, str]]:
        rows = self._conn.execute(
            "SELECT name, body FROM execution_waves WHERE execution_id = ? ORDER BY position",
            (execution_id,),
        )
        return [(r[0], r[1]) for r in rows]


def server_json(server: ServerRun) -> str:
    """A server record: its run without default values and without its launch settings."""
    return server.model_dump_json(exclude={"launch_settings"}, exclude_defaults=True)


def record_json(record: SettingsRecord) -> str:
    """A launch-settings record without default values."""
    return record.model_dump_json(exclude_defaults=True)


def with_member(body: str, name: str, value: str | None) -> str:
    """A JSON object's text with one more member (its JSON text), or as it is for None."""
    if value is None:
        return body
    return f'{body[:-1]},"{name}":{value}}}'


def _assemble(
    header: str,
    snapshot: str,
    snapshot_servers: list[str],
    waves: list[tuple[str, list[str]]],
    batches: list[str],
) -> str:
    """The execution's JSON from its records' JSON objects (each `{...}`, never empty)."""
    snap = f'{snapshot[:-1]},"servers":[{",".join(snapshot_servers)}]}}'
    wave_docs = ",".join(f'{body[:-1]},"servers":[{",".join(runs)}]}}' for body, runs in waves)
    return (
        f'{header[:-1]},"snapshot":{snap},"waves":[{wave_docs}],"batches":[{",".join(batches)}]}}'
    )
