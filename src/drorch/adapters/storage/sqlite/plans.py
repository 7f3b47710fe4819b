"""SQLite repository of recovery plans."""

from __future__ import annotations

import sqlite3

from pydantic import TypeAdapter

from drorch.adapters.storage.paging import Cursors
from drorch.adapters.storage.sqlite.documents import (
    check_version,
    delete_one,
    load_one,
    name_taken,
)
from drorch.adapters.storage.sqlite.keyset import Select, fetch_page, parse_page
from drorch.domain.plans import RecoveryPlan
from drorch.ports.store import ListQuery, Page

SORTS = {"name": "t.name_lower", "created_at": "t.created_at", "id": "t.id"}
DOCUMENTS = TypeAdapter(list[RecoveryPlan])
NOUN = "recovery plan"


class SqlitePlans:
    """Recovery plans as JSON documents, with a side table of the groups they use."""

    def __init__(self, conn: sqlite3.Connection, cursors: Cursors) -> None:
        self._conn = conn
        self._cursors = cursors

    def add(self, plan: RecoveryPlan) -> None:
        """Insert a new plan."""
        try:
            self._conn.execute(
                "INSERT INTO recovery_plans VALUES (?, ?, ?, ?, ?, ?)",
                (
                    plan.id,
                    plan.name,
                    plan.name.lower(),
                    plan.version,
                    plan.created_at.isoformat(),
                    plan.model_dump_json(),
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, plan.name, exc) from exc
        self._index_groups(plan)

    def update(self, plan: RecoveryPlan, *, expected_version: int) -> None:
        """Replace a plan whose stored version is `expected_version`."""
        check_version(self._conn, "recovery_plans", plan.id, expected_version, NOUN)
        try:
            self._conn.execute(
                "UPDATE recovery_plans SET name=?, name_lower=?, version=?, body=? "
                "WHERE id=? AND version=?",
                (
                    plan.name,
                    plan.name.lower(),
                    plan.version,
                    plan.model_dump_json(),
                    plan.id,
                    expected_version,
                ),
            )
        except sqlite3.IntegrityError as exc:
            raise name_taken(NOUN, plan.name, exc) from exc
        self._index_groups(plan)

    def delete(self, plan_id: str, *, expected_version: int | None) -> None:
        """Delete a plan."""
        delete_one(self._conn, "recovery_plans", plan_id, expected_version, NOUN)

    def get(self, plan_id: str) -> RecoveryPlan | None:
        """One plan, or None."""
        return load_one(
            self._conn, "recovery_plans", "id", plan_id, RecoveryPlan.model_validate_json
        )

    def find_by_name(self, name: str) -> RecoveryPlan | None:
        """The plan with this name, ignoring case."""
        return load_one(
            self._conn,
            "recovery_plans",
            "name_lower",
            name.lower(),
            RecoveryPlan.model_validate_json,
        )

    def page(self, query: ListQuery) -> Page[RecoveryPlan]:
        """A filtered, sorted page of plans."""
        return parse_page(self.page_json(query), DOCUMENTS)

    def page_json(self, query: ListQuery) -> Page[str]:
        """The same page as `page`, each plan as its stored JSON."""
        select = Select("recovery_plans")
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

    def using_group(self, group_id: str) -> list[RecoveryPlan]:
        """Plans with a wave that uses the group."""
        rows = self._conn.execute(
            "SELECT p.body FROM recovery_plans p JOIN plan_groups pg ON pg.plan_id = p.id "
            "WHERE pg.group_id = ? ORDER BY p.name_lower",
            (group_id,),
        )
        return [RecoveryPlan.model_validate_json(row["body"]) for row in rows]

    def _index_groups(self, plan: RecoveryPlan) -> None:
        group_ids = {g for wave in plan.waves for g in wave.protection_group_ids}
        self._conn.execute("DELETE FROM plan_groups WHERE plan_id = ?", (plan.id,))
        self._conn.executemany(
            "INSERT INTO plan_groups VALUES (?, ?)", [(plan.id, g) for g in sorted(group_ids)]
        )
