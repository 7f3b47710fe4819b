"""SQLite repository of the cached DRS inventory."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from drorch.adapters.storage.sqlite.keyset import Select, fetch_page
from drorch.domain.inventory import SourceServer
from drorch.ports.store import Page, ServerQuery

SORTS = {
    "hostname": "t.hostname_lower",
    "id": "t.id",
    "account_id": "t.account_id",
    "region": "t.region",
    "replication_state": "t.replication_state",
}


class SqliteServers:
    """Source servers with their tags in a side table for filtering."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def upsert_many(self, servers: Iterable[SourceServer]) -> None:
        """Insert or replace servers and their tags."""
        for s in servers:
            self._conn.execute(
                "INSERT INTO source_servers VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE "
                "SET account_id=excluded.account_id, region=excluded.region, "
                "hostname=excluded.hostname, hostname_lower=excluded.hostname_lower, "
                "replication_state=excluded.replication_state, body=excluded.body",
                (
                    s.id,
                    s.account_id,
                    s.region,
                    s.hostname,
                    s.hostname.lower(),
                    s.replication_state,
                    s.model_dump_json(),
                ),
            )
            self._conn.execute("DELETE FROM server_tags WHERE server_id = ?", (s.id,))
            self._conn.executemany(
                "INSERT INTO server_tags VALUES (?, ?, ?)",
                [(s.id, k, v) for k, v in s.tags.items()],
            )

    def get(self, server_id: str) -> SourceServer | None:
        """One server, or None."""
        row = self._conn.execute(
            "SELECT body FROM source_servers WHERE id = ?", (server_id,)
        ).fetchone()
        return SourceServer.model_validate_json(row["body"]) if row else None

    def get_many(self, server_ids: Iterable[str]) -> dict[str, SourceServer]:
        """The known servers among the ids, by id."""
        ids = list(set(server_ids))
        found: dict[str, SourceServer] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT body FROM source_servers WHERE id IN ({marks})", chunk
            ):
                server = SourceServer.model_validate_json(row["body"])
                found[server.id] = server
        return found

    def in_scope(self, account_id: str, region: str) -> list[SourceServer]:
        """Every server of one account and region."""
        rows = self._conn.execute(
            "SELECT body FROM source_servers WHERE account_id = ? AND region = ? ORDER BY id",
            (account_id, region),
        )
        return [SourceServer.model_validate_json(row["body"]) for row in rows]

    def page(self, query: ServerQuery) -> Page[SourceServer]:
        """A filtered, sorted page of servers."""
        select = Select("source_servers")
        for column in ("account_id", "region", "replication_state"):
            value = getattr(query, column)
            if value is not None:
                select.add(f"t.{column} = ?", value)
        for key, value in query.tags.items():
            select.add(
                "EXISTS (SELECT 1 FROM server_tags g WHERE g.server_id = t.id "
                "AND g.key = ? AND g.value = ?)",
                key,
                value,
            )
        if query.assigned is not None:
            negation = "" if query.assigned else "NOT "
            select.add(f"{negation}EXISTS (SELECT 1 FROM group_members m WHERE m.server_id = t.id)")
        if query.group_id is not None:
            select.add(
                "EXISTS (SELECT 1 FROM group_members m WHERE m.server_id = t.id "
                "AND m.group_id = ?)",
                query.group_id,
            )
        if query.search:
            select.add("t.hostname_lower LIKE ? ESCAPE '\\'", f"%{_escape_like(query.search)}%")
        return fetch_page(
            self._conn,
            select,
            sort=query.sort,
            allowed=SORTS,
            limit=query.limit,
            cursor=query.cursor,
            parse=SourceServer.model_validate_json,
        )

    def delete_missing(self, account_id: str, region: str, keep: set[str]) -> int:
        """Forget servers of a scope that DRS no longer reports; returns how many."""
        rows = self._conn.execute(
            "SELECT id FROM source_servers WHERE account_id = ? AND region = ?",
            (account_id, region),
        ).fetchall()
        gone = [row["id"] for row in rows if row["id"] not in keep]
        self._conn.executemany("DELETE FROM source_servers WHERE id = ?", [(g,) for g in gone])
        return len(gone)


def _escape_like(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
