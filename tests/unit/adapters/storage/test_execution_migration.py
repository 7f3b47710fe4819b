"""Migration 008: executions stored as one document move into the record layout."""

from __future__ import annotations

from pathlib import Path

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Batch, Execution, summarize
from tests.unit.engine.factory import ACCOUNT, REGION, T0, execution, sid


def old_layout(path: Path, executions: list[Execution]) -> None:
    """A data dir as drorch kept it before 008: one JSON document per execution."""
    store = SqliteStore(path)
    with store.db.connection() as conn:
        for table in ("snapshots", "snapshot_servers", "waves", "servers", "batches", "claims"):
            conn.execute(f"DROP TABLE execution_{table}")
        conn.execute("DROP TABLE execution_capacity")
        conn.execute("DELETE FROM schema_version WHERE version >= 8")
        for ex in executions:
            conn.execute(
                "INSERT INTO executions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ex.id,
                    ex.plan_id,
                    ex.type,
                    ex.status,
                    int(not ex.terminal),
                    ex.version,
                    "2026-01-01T00:00:00.000000Z",
                    summarize(ex).model_dump_json(),
                    ex.model_dump_json(),
                ),
            )
    store.close()


def test_existing_executions_read_back_equal_and_active_ones_hold_their_servers(
    tmp_path: Path,
) -> None:
    batch = Batch(
        batch_id="b-1",
        kind="LAUNCH",
        wave="a",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=[sid(1), sid(2)],
        state="ACTIVE",
        job_id="j-1",
        created_at=T0,
    )
    running = execution([("a", 2), ("b", 1)]).model_copy(update={"batches": [batch]})
    running.waves[0].servers[0].status = "LAUNCHING"
    ended = execution([("z", 1)]).model_copy(update={"id": "ex-2", "status": "COMPLETED"})
    path = tmp_path / "drorch.db"
    old_layout(path, [running, ended])

    store = SqliteStore(path)
    try:
        with store.read() as uow:
            assert uow.executions.get("ex-1") == running
            assert uow.executions.get("ex-2") == ended
            assert uow.executions.busy_servers() == {sid(n): "ex-1" for n in (1, 2, 3)}
        with store.db.connection() as conn:
            header = conn.execute("SELECT body FROM executions WHERE id = 'ex-1'").fetchone()[0]
        assert '"waves"' not in header and '"snapshot"' not in header
    finally:
        store.close()
