"""SQLite repository of protection groups and their membership."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from pydantic import TypeAdapter

from drorch.adapters.storage.paging import Cursors
from drorch.adapters.storage.sqlite.documents import (
    check_version,
    delete_one,
    load_one,
    name_taken,
)
from drorch.adapters.storage.sqlite.keyset import Select, fetch_page, parse_page
from drorch.domain.groups import ProtectionGroup
from drorch.errors import ConflictError
from drorch.ports.store import ListQuery, Page

SORTS = {"name": "t.name_lower", "created_at": "t.created_at", "id": "t.id"}
DOCUMENTS = TypeAdapter(list[ProtectionGroup])
NOUN = "protection group"
# A group's JSON with its members spliced in by SQLite, so listings skip parsing and
# rendering: group_member_lists (migration 014) holds each group's members as a JSON array
# already, and the stored body (compact JSON without this key) takes it before its brace.
MEMBER_LISTS = "LEFT JOIN group_member_lists l ON l.group_id = t.id"
WITH_MEMBERS = (
    "CASE WHEN length(t.body) > 2 THEN substr(t.body, 1, length(t.body) - 1) || ',' "
    "ELSE '{' END || '\"member_server_ids\":' || coalesce(l.members, '[]') || '}'"
)


class SqliteGroups:
    """Protection groups as JSON documents with indexed name, scope and version."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

    def add(self, group: ProtectionGroup) -> None:
        """Insert a new group."""
        try:
            self._conn.execute(
                "INSERT INTO protection_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    group.id,
                    group.name,
                    group.name.lower(),
                    group.account_id,
                    group.region,
                    group.version,
                    group.created_at.isoformat(),
                    group.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, group.name, exc) from exc

    def update(self, group: ProtectionGroup, *, expected_version: int) -> None:
        """Replace a group whose stored version is `expected_version`."""
        check_version(self._conn, "protection_groups", group.id, expected_version, NOUN)
        try:
            self._conn.execute(
                "UPDATE protection_groups SET name=?, name_lower=?, account_id=?, region=?, "
                "version=?, body=? WHERE id=? AND version=?",
                (
                    group.name,
                    group.name.lower(),
                    group.account_id,
                    group.region,
                    group.version,
                    group.model_dump_json(),
                    group.id,
                    expected_version,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, group.name, exc) from exc
        self._conn.execute(
            "UPDATE group_members SET group_name = ? WHERE group_id = ?", (group.name, group.id)
        )

    def delete(self, group_id: str, *, expected_version: int | None) -> None:
        """Delete a group (and its membership)."""
        delete_one(self._conn, "protection_groups", group_id, expected_version, NOUN)

    def get(self, group_id: str) -> ProtectionGroup | None:
        """One group, or None."""
        return load_one(
            self._conn, "protection_groups", "id", group_id, ProtectionGroup.model_validate_json
        )

    def get_many(self, group_ids: Iterable[str]) -> dict[str, ProtectionGroup]:
        """The existing groups among the ids, by id."""
        ids = list(set(group_ids))
        marks = ",".join("?" * len(ids))
        rows = (
            self._conn.execute(f"SELECT body FROM protection_groups WHERE id IN ({marks})", ids)
            if ids
            else []
        )
        groups = [ProtectionGroup.model_validate_json(row["body"]) for row in rows]
        return {g.id: g for g in groups}

    def find_by_name(self, name: str) -> ProtectionGroup | None:
        """The group with this name, ignoring case."""
        return load_one(
            self._conn,
            "protection_groups",
            "name_lower",
            name.lower(),
            ProtectionGroup.model_validate_json,
        )

    def page(self, query: ListQuery) -> Page[ProtectionGroup]:
        """A filtered, sorted page of groups."""
        return parse_page(self._page(query, "t.body", ""), DOCUMENTS)

    def page_json(self, query: ListQuery) -> Page[str]:
        """The same page as `page`, each group as JSON with its sorted `member_server_ids`."""
        return self._page(query, WITH_MEMBERS, MEMBER_LISTS)

    def _page(self, query: ListQuery, body: str, joins: str) -> Page[str]:
        select = Select("protection_groups", body, joins=joins)
        if query.account_id:
            select.add("t.account_id = ?", query.account_id)
        if query.region:
            select.add("t.region = ?", query.region)
        if query.search:
            select.add("instr(t.name_lower, ?) > 0", query.search.lower())
        return fetch_page(
            self._conn,
            select,
            sort=query.sort,
            allowed=SORTS,
            limit=query.limit,
            cursor=query.cursor,
            cursors=self._cursors,
        )

    def all(self) -> list[ProtectionGroup]:
        """Every group, by name."""
        rows = self._conn.execute("SELECT body FROM protection_groups ORDER BY name_lower")
        return [ProtectionGroup.model_validate_json(row["body"]) for row in rows]

    def in_account(self, account_id: str) -> list[ProtectionGroup]:
        """The groups of one account, by name."""
        rows = self._conn.execute(
            "SELECT body FROM protection_groups WHERE account_id = ? ORDER BY name_lower",
            (account_id,),
        )
        return [ProtectionGroup.model_validate_json(row["body"]) for row in rows]

    def set_members(self, group_id: str, server_ids: Sequence[str]) -> None:
        """Make `server_ids` the group's members; the primary key refuses shared servers."""
        self._conn.execute("DELETE FROM group_members WHERE group_id = ?", (group_id,))
        try:
            # Members carry the group's name so server listings need one lookup per row.
            self._conn.executemany(
                "INSERT INTO group_members VALUES (?, ?, "
                "(SELECT name FROM protection_groups WHERE id = ?))",
                [(s, group_id, group_id) for s in server_ids],
            )
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                "a server of this group already belongs to another protection group",
                conflicts=[{"group_id": group_id}],
            ) from exc
        listed = json.dumps(sorted(server_ids), separators=(",", ":"))
        self._conn.execute(
            "INSERT OR REPLACE INTO group_member_lists (group_id, members) VALUES (?, ?)",
            (group_id, listed),
        )

    def members(self, group_id: str) -> list[str]:
        """Ids of the group's servers, sorted."""
        rows = self._conn.execute(
            "SELECT server_id FROM group_members WHERE group_id = ? ORDER BY server_id",
            (group_id,),
        )
        return [row["server_id"] for row in rows]

    def holders(self, server_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """For each server already in a group: (group id, group name)."""
        ids = list(set(server_ids))
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                "SELECT m.server_id, g.id, g.name FROM group_members m "
                f"JOIN protection_groups g ON g.id = m.group_id WHERE m.server_id IN ({marks})",
                chunk,
            )
            found.update({row[0]: (row[1], row[2]) for row in rows})
        return found
