"""DynamoDB repository of recovery plans, with an item per (group, plan) for `using_group`."""

from __future__ import annotations

from drorch.adapters.storage.dynamodb.catalog import DOC_INDEXES, PLANS, doc_extra
from drorch.adapters.storage.dynamodb.common import Documents, parse_all
from drorch.adapters.storage.dynamodb.paging import fetch_page
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors
from drorch.domain.plans import RecoveryPlan
from drorch.ports.store import ListQuery, Page


class DynamoPlans:
    """Recovery plans as documents, with an item per (group, plan) for `using_group`."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._docs = Documents(unit, PLANS, "recovery plan")

    def add(self, plan: RecoveryPlan) -> None:
        """Insert a new plan."""
        extra = doc_extra(plan.name, plan.id, plan.created_at.isoformat(), PLANS)
        self._docs.add(plan.id, plan.model_dump_json(), plan.version, plan.name, **extra)
        self._index_groups(plan, set())

    def update(self, plan: RecoveryPlan, *, expected_version: int) -> None:
        """Replace a plan whose stored version is `expected_version`."""
        extra = doc_extra(plan.name, plan.id, plan.created_at.isoformat(), PLANS)
        old = self._docs.update(
            plan.id, plan.model_dump_json(), plan.version, expected_version, plan.name, **extra
        )
        self._index_groups(plan, _groups_of(RecoveryPlan.model_validate_json(old["body"])))

    def delete(self, plan_id: str, *, expected_version: int | None) -> None:
        """Delete a plan (its group index and readiness history go with it)."""
        old = self._docs.delete(plan_id, expected_version)
        for group_id in _groups_of(RecoveryPlan.model_validate_json(old["body"])):
            self._unit.delete(f"plangrp#{group_id}", plan_id)
        from drorch.adapters.storage.dynamodb.readiness import forget_plan

        forget_plan(self._unit, plan_id)

    def get(self, plan_id: str) -> RecoveryPlan | None:
        """One plan, or None."""
        item = self._docs.get(plan_id)
        return RecoveryPlan.model_validate_json(item["body"]) if item else None

    def find_by_name(self, name: str) -> RecoveryPlan | None:
        """The plan with this name, ignoring case."""
        item = self._docs.by_name(name)
        return RecoveryPlan.model_validate_json(item["body"]) if item else None

    def page(self, query: ListQuery) -> Page[RecoveryPlan]:
        """A filtered, sorted page of plans."""
        page = self._page(query)
        return Page(
            items=parse_all(page.items, RecoveryPlan.model_validate_json),
            next_cursor=page.next_cursor,
        )

    def page_json(self, query: ListQuery) -> Page[str]:
        """The same page as `page`, each plan as its stored JSON."""
        page = self._page(query)
        return Page(items=[i["body"] for i in page.items], next_cursor=page.next_cursor)

    def _page(self, query: ListQuery) -> Page[Item]:
        search = query.search.lower() if query.search else None
        return fetch_page(
            self._unit,
            self._cursors,
            kind=PLANS,
            sort=query.sort,
            indexed=DOC_INDEXES,
            computed={},
            limit=query.limit,
            cursor=query.cursor,
            select=lambda items: [
                i for i in items if search is None or search in i["name"].lower()
            ],
        )

    def using_group(self, group_id: str) -> list[RecoveryPlan]:
        """Plans with a wave that uses the group, by name."""
        links = self._unit.query(f"plangrp#{group_id}")
        found = self._unit.get_many((PLANS, link["sk"]) for link in links)
        plans = parse_all(list(found.values()), RecoveryPlan.model_validate_json)
        return sorted(plans, key=lambda p: (p.name.lower(), p.id))

    def _index_groups(self, plan: RecoveryPlan, before: set[str]) -> None:
        now = _groups_of(plan)
        for group_id in before - now:
            self._unit.delete(f"plangrp#{group_id}", plan.id)
        for group_id in now - before:
            self._unit.put({"pk": f"plangrp#{group_id}", "sk": plan.id})


def _groups_of(plan: RecoveryPlan) -> set[str]:
    return {g for wave in plan.waves for g in wave.protection_group_ids}
