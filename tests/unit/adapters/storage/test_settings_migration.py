"""Migration 013: launch-settings records move out of intent and server rows, unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from drorch.adapters.storage.sqlite import SqliteStore, database
from drorch.domain.executions import Execution, Intent, summarize
from drorch.domain.launch_settings import LaunchSettings, SettingsRecord
from tests.unit.engine.factory import ACCOUNT, REGION, T0, execution, sid


def record(server_id: str) -> SettingsRecord:
    return SettingsRecord(
        source_server_id=server_id,
        wanted=LaunchSettings(subnet_id="subnet-1"),
        state="APPLIED",
        previous_drs={"copyTags": False},
        drs_changes={"copyTags": True},
    )


def schema_before_013(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT)")
    for version, name, sql in database._migrations():
        if version < 13:
            for statement in database._statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, name))
    return conn


def test_settings_kept_inside_old_rows_read_back_the_same(tmp_path: Path) -> None:
    ex = execution([("a", 2)])
    ex.waves[0].servers[0].launch_settings = record(sid(1))
    intent = Intent(
        execution_id=ex.id,
        batch_id="b-1",
        kind="LAUNCH",
        execution_type="DRILL",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=[sid(1)],
        created_at=T0,
        launch_settings=[record(sid(1))],
    )
    path = tmp_path / "drorch.db"
    conn = schema_before_013(path)
    with conn:
        old_rows(conn, ex, intent)
    conn.close()

    store = SqliteStore(path)
    try:
        with store.read() as uow:
            assert uow.executions.get(ex.id) == ex
            assert uow.executions.intents(ex.id) == [intent]
            assert uow.executions.intent_heads(ex.id)[0].launch_settings == []
        with store.db.connection() as conn:
            bodies = [r[0] for r in conn.execute("SELECT body FROM execution_servers")]
            bodies += [r[0] for r in conn.execute("SELECT body FROM execution_intents")]
        assert all('"launch_settings"' not in body for body in bodies)
    finally:
        store.close()


def old_rows(conn: sqlite3.Connection, ex: Execution, intent: Intent) -> None:
    """An execution and its intent as drorch wrote them before 013 (settings inline)."""
    conn.execute(
        "INSERT INTO executions VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
        (
            ex.id,
            ex.plan_id,
            ex.type,
            ex.status,
            ex.version,
            "2026-01-01T00:00:00.000000Z",
            summarize(ex).model_dump_json(),
            ex.model_dump_json(exclude={"snapshot", "waves", "batches"}),
        ),
    )
    snapshot = ex.snapshot.model_dump_json(exclude={"servers"})
    conn.execute("INSERT INTO execution_snapshots VALUES (?, ?)", (ex.id, snapshot))
    for i, s in enumerate(ex.snapshot.servers):
        conn.execute(
            "INSERT INTO execution_snapshot_servers VALUES (?, ?, ?)",
            (ex.id, i, s.model_dump_json()),
        )
    for w, wave in enumerate(ex.waves):
        conn.execute(
            "INSERT INTO execution_waves VALUES (?, ?, ?, ?, ?)",
            (ex.id, wave.name, w, wave.status, wave.model_dump_json(exclude={"servers"})),
        )
        for p, s in enumerate(wave.servers):
            conn.execute(
                "INSERT INTO execution_servers VALUES (?, ?, ?, ?, ?, ?)",
                (
                    ex.id,
                    s.source_server_id,
                    wave.name,
                    w * 1_000_000 + p,
                    s.status,
                    s.model_dump_json(),
                ),
            )
    conn.execute(
        "INSERT INTO execution_intents VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            intent.batch_id,
            intent.attempt,
            ex.id,
            ACCOUNT,
            REGION,
            intent.state,
            intent.model_dump_json(),
        ),
    )
