"""SQLite connections and migrations: settings applied, migrations recorded once, data moved."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from drorch.adapters.storage.sqlite import SqliteStore, database
from drorch.adapters.storage.sqlite.database import migrate
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from drorch.ports.store import ServerQuery
from tests.support.builders import server


def test_each_migration_is_recorded_once(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "drorch.db")
    with store.db.connection() as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version")]
        assert versions == sorted(set(versions)) and versions[0] == 1
        assert migrate(conn) == versions[-1]  # nothing left to apply
    store.close()


def test_server_bodies_gain_the_health_flag(tmp_path: Path) -> None:
    path = tmp_path / "drorch.db"
    store = SqliteStore(path)
    with store.transaction() as uow:
        uow.servers.upsert_many([server(1), server(2, replication_state="STALLED")])
    with store.db.connection() as conn:
        # Roll the file back to how version 2 stored servers.
        conn.execute("UPDATE source_servers SET body = json_remove(body, '$.replication_healthy')")
        conn.execute("DELETE FROM schema_version WHERE version >= 3")
    store.close()

    reopened = SqliteStore(path)
    with reopened.db.connection() as conn:
        bodies = [json.loads(row[0]) for row in conn.execute("SELECT body FROM source_servers")]
    assert sorted(b["replication_healthy"] for b in bodies) == [False, True]
    with reopened.read() as uow:
        assert uow.servers.get(server(2).id) == server(2, replication_state="STALLED")
    reopened.close()


def test_the_page_cache_size_comes_from_the_settings(tmp_path: Path) -> None:
    container = bootstrap(Settings(data_dir=tmp_path, sqlite_cache_mb=8))
    store = container.store
    assert isinstance(store, SqliteStore)
    with store.db.connection() as conn:
        assert conn.execute("PRAGMA cache_size").fetchone()[0] == -8 * 1024
    store.close()


def test_an_older_database_keeps_its_tags_and_members_and_names_the_groups(
    tmp_path: Path,
) -> None:
    path = tmp_path / "drorch.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT)")
    for version, name, sql in database._migrations():
        if version <= 3:  # the schema as it stood before tags and members were rebuilt
            for statement in database._statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, name))
    old = server(1, tags={"app": "shop"})
    conn.execute(
        "INSERT INTO source_servers VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            old.id,
            old.account_id,
            old.region,
            old.hostname,
            old.hostname,
            "CONTINUOUS",
            old.model_dump_json(),
        ),
    )
    conn.execute("INSERT INTO server_tags VALUES (?, 'app', 'shop')", (old.id,))
    conn.execute(
        "INSERT INTO protection_groups VALUES ('pg-000000000001', 'Shop', 'shop', ?, ?, 1, "
        "'2026-01-01T00:00:00Z', '{}')",
        (old.account_id, old.region),
    )
    conn.execute("INSERT INTO group_members VALUES (?, 'pg-000000000001')", (old.id,))
    conn.commit()
    conn.close()

    store = SqliteStore(path)
    with store.read() as uow:
        listed = json.loads(uow.servers.page_json(ServerQuery(tags={"app": "shop"})).items[0])
    assert (listed["group_id"], listed["group_name"]) == ("pg-000000000001", "Shop")
    store.close()
