"""Group listings splice each group's stored member list (migration 014), kept with the members."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from drorch.adapters.storage.sqlite import SqliteStore, database
from drorch.domain.groups import ProtectionGroup, Selection
from drorch.ports.store import ListQuery
from tests.support.builders import server, server_id

NOW = "2026-01-01T00:00:00Z"


def listed(store: SqliteStore) -> dict[str, list[str]]:
    """Group name -> member_server_ids, as the listing shows them."""
    with store.read() as uow:
        items = [json.loads(t) for t in uow.groups.page_json(ListQuery(limit=50)).items]
    return {i["name"]: i["member_server_ids"] for i in items}


def test_the_listing_follows_every_change_of_the_members(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "drorch.db")
    ids = [server_id(n) for n in (3, 1, 2)]
    with store.transaction() as uow:
        uow.servers.upsert_many([server(n) for n in (1, 2, 3)])
        for name in ("web", "empty"):
            group = ProtectionGroup.model_validate(
                {
                    "id": f"pg-{name:0>12}",
                    "name": name,
                    "account_id": "123456789012",
                    "region": "us-east-1",
                    "selection": Selection(server_ids=ids if name == "web" else []),
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            uow.groups.add(group)
            uow.groups.set_members(group.id, group.selection.server_ids or [])
    assert listed(store) == {"web": sorted(ids), "empty": []}
    with store.transaction() as uow:
        uow.groups.set_members("pg-000000000web", [ids[0]])
    assert listed(store) == {"web": [ids[0]], "empty": []}
    with store.read() as uow:  # the body parses as the API's group, members included
        page = uow.groups.page(ListQuery(limit=50))
    assert {g.name for g in page.items} == {"web", "empty"}
    store.close()


def test_migration_014_lists_the_members_of_existing_groups(tmp_path: Path) -> None:
    path = tmp_path / "drorch.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT)")
    for version, name, sql in database._migrations():
        if version < 14:  # the schema as it stood before member lists
            for statement in database._statements(sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?)", (version, name))
    body = json.dumps({"id": "pg-000000000001", "name": "Shop"}, separators=(",", ":"))
    conn.execute(
        "INSERT INTO protection_groups VALUES ('pg-000000000001', 'Shop', 'shop', "
        "'123456789012', 'us-east-1', 1, ?, ?)",
        (NOW, body),
    )
    for n in (2, 1):
        conn.execute(
            "INSERT INTO group_members VALUES (?, 'pg-000000000001', 'Shop')", (server_id(n),)
        )
    conn.commit()
    conn.close()

    store = SqliteStore(path)
    with store.read() as uow:
        item = json.loads(uow.groups.page_json(ListQuery()).items[0])
    assert item == {**json.loads(body), "member_server_ids": [server_id(1), server_id(2)]}
    store.close()
