"""SQLite repository of the cached DRS inventory."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.adapters.storage.sqlite.keyset import Select, fetch_page, parse_page
from drorch.domain.inventory import SourceServer
from drorch.ports.store import Page, ServerQuery

SORTS = {
    "hostname": "t.hostname_lower",
    "id": "t.id",
    "account_id": "t.account_id",
    "region": "t.region",
    "replication_state": "t.replication_state",
}
# Listing items: the stored JSON with the server's protection group spliced in by SQLite,
# so the API sends them as they are. Memberships carry the group's name, so one lookup by
# primary key names the group (LEFT: an unassigned server stays, with NULLs); json_quote
# renders NULL as null and a name as an escaped string. Splicing before the closing brace
# of the stored object (compact JSON without these keys) costs half of json_set, which
# parses and rewrites every body.
GROUP_JOINS = "LEFT JOIN group_members gm ON gm.server_id = t.id"
WITH_GROUP = (
    "substr(t.body, 1, length(t.body) - 1) || ',\"group_id\":' || json_quote(gm.group_id) "
    "|| ',\"group_name\":' || json_quote(gm.group_name) || '}'"
)


class SqliteServers:
    """Source servers with their tags in a side table for filtering."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

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
        return parse_page(self._page(query, with_group=False), _SERVER_LIST)

    def page_json(self, query: ServerQuery) -> Page[str]:
        """The same page as `page`, each server as JSON with its `group_id` and `group_name`."""
        return self._page(query, with_group=True)

    def _page(self, query: ServerQuery, *, with_group: bool) -> Page[str]:
        check_limit(query.limit)  # before any counting work
        select = Select("source_servers")
        if with_group:
            select.body, select.joins = WITH_GROUP, GROUP_JOINS
        driven = self._filter(select, query)
        # A driving filter makes SQLite sort all its matches; when they outnumber a page,
        # the groups are joined to the page's rows only.
        select.late = with_group and driven is not None and driven > query.limit
        return fetch_page(
            self._conn,
            select,
            sort=query.sort,
            allowed=SORTS,
            limit=query.limit,
            cursor=query.cursor,
            cursors=self._cursors,
        )

    def _filter(self, select: Select, query: ServerQuery) -> int | None:
        """Add the query's filters to `select`; returns what a driving index matches, if any."""
        # Cheap column tests come first: SQLite checks terms in order, subqueries last.
        if query.search:
            select.add("t.hostname_lower LIKE ? ESCAPE '\\'", f"%{_escape_like(query.search)}%")
        if query.region is not None and query.account_id is None:
            select.add("t.region = ?", query.region)
        candidates = _index_filters(query)
        matches, driver = self._pick_driver(candidates, query.limit) or (None, None)
        for candidate in candidates:
            clause = candidate.driving if candidate is driver else candidate.checking
            select.add(clause, *candidate.params)
        if query.assigned is not None:
            negation = "" if query.assigned else "NOT "
            select.add(f"{negation}EXISTS (SELECT 1 FROM group_members m WHERE m.server_id = t.id)")
        return matches

    def _pick_driver(
        self, candidates: list[_IndexFilter], limit: int
    ) -> tuple[int, _IndexFilter] | None:
        """The filter whose index should drive the query and its matches, or None to walk.

        Walking the sort index stops after a page of matches, costing about
        limit * total / matches rows; driving from a filter's index costs the rows it
        matches (then a sort). Driving wins when matches**2 <= limit * total.
        """
        if not candidates:
            return None
        row = self._conn.execute("SELECT max(rowid) FROM source_servers").fetchone()
        threshold = math.isqrt(max(1, limit) * int(row[0] or 0))
        best: tuple[int, _IndexFilter] | None = None
        for candidate in candidates:
            found = self._conn.execute(
                f"SELECT count(*) FROM ({candidate.count_sql} LIMIT ?)",
                (*candidate.params, threshold + 1),
            ).fetchone()[0]
            if found <= threshold and (best is None or found < best[0]):
                best = (found, candidate)
        return best

    def delete_missing(self, account_id: str, region: str, keep: set[str]) -> int:
        """Forget servers of a scope that DRS no longer reports; returns how many."""
        rows = self._conn.execute(
            "SELECT id FROM source_servers WHERE account_id = ? AND region = ?",
            (account_id, region),
        ).fetchall()
        gone = [row["id"] for row in rows if row["id"] not in keep]
        self._conn.executemany("DELETE FROM source_servers WHERE id = ?", [(g,) for g in gone])
        return len(gone)


@dataclass(frozen=True)
class _IndexFilter:
    """A filter with an index: `driving` lets SQLite start from it, `checking` does not."""

    count_sql: str
    driving: str
    checking: str
    params: tuple[Any, ...]


def _index_filters(query: ServerQuery) -> list[_IndexFilter]:
    """The query's filters that an index can answer (scope, state, each tag, group)."""
    found: list[_IndexFilter] = []
    if query.account_id is not None:
        scope = [("account_id", query.account_id)]
        if query.region is not None:
            scope.append(("region", query.region))
        where = " AND ".join(f"{c} = ?" for c, _ in scope)
        # Unary + keeps a term away from indexes without changing its value.
        found.append(
            _IndexFilter(
                f"SELECT 1 FROM source_servers WHERE {where}",
                " AND ".join(f"t.{c} = ?" for c, _ in scope),
                " AND ".join(f"+t.{c} = ?" for c, _ in scope),
                tuple(v for _, v in scope),
            )
        )
    if query.replication_state is not None:
        found.append(
            _IndexFilter(
                "SELECT 1 FROM source_servers WHERE replication_state = ?",
                "t.replication_state = ?",
                "+t.replication_state = ?",
                (query.replication_state,),
            )
        )
    for key, value in query.tags.items():
        found.append(_membership("server_tags", "key = ? AND value = ?", (key, value)))
    if query.group_id is not None:
        found.append(_membership("group_members", "group_id = ?", (query.group_id,)))
    return found


def _membership(table: str, where: str, params: tuple[Any, ...]) -> _IndexFilter:
    """A filter on a side table keyed by server id (tags, group members)."""
    inner = f"SELECT server_id FROM {table} WHERE {where}"
    checking = f"EXISTS (SELECT 1 FROM {table} x WHERE x.server_id = t.id AND {_qualify(where)})"
    # Counting `1` reads the condition's index alone; server_id would need each table row.
    count = f"SELECT 1 FROM {table} WHERE {where}"
    return _IndexFilter(count, f"t.id IN ({inner})", checking, params)


def _qualify(where: str) -> str:
    # Column names of the side-table condition, prefixed with its alias `x`.
    return " AND ".join(f"x.{term}" for term in where.split(" AND "))


_SERVER_LIST = TypeAdapter(list[SourceServer])


def _escape_like(text: str) -> str:
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
