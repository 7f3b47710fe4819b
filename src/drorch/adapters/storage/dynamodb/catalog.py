"""DynamoDB repositories of the inventory, protection groups and recovery plans."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from pydantic import TypeAdapter

from drorch.adapters.storage.dynamodb.common import Documents, joined, parse_all
from drorch.adapters.storage.dynamodb.paging import fetch_page
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.groups import ProtectionGroup
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import RecoveryPlan
from drorch.errors import ConflictError
from drorch.ports.store import ListQuery, Page, ServerQuery

SERVERS, GROUPS, PLANS = "srv", "grp", "plan"
SERVER_INDEXES: dict[str, str | None] = {"hostname": "g1", "replication_state": "g2", "id": None}
SERVER_COMPUTED = {
    "account_id": lambda i: joined(i["acct"], i["sk"]),
    "region": lambda i: joined(i["region"], i["sk"]),
}
DOC_INDEXES: dict[str, str | None] = {"name": "g1", "created_at": "g2", "id": None}
_SERVERS = TypeAdapter(list[SourceServer])
# Up to this many member ids are copied onto the group item (about 44 KB): far from 400 KB.
MEMBERS_ON_ITEM = 2000


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _member_key(server_id: str) -> tuple[str, str]:
    return f"mem#{server_id}", "-"


class DynamoServers:
    """Source servers in one partition sorted by id, indexed by hostname, state and scope."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors

    def upsert_many(self, servers: Iterable[SourceServer]) -> None:
        """Insert or replace servers (written ahead in batches: a refresh is idempotent)."""
        for s in servers:
            host, state = s.hostname.lower(), s.replication_state or ""
            item: Item = {
                "pk": SERVERS,
                "sk": s.id,
                "body": s.model_dump_json(),
                "acct": s.account_id,
                "region": s.region,
                "state": state,
                "host": host,
                "tags": _dump(s.tags),
                "g1pk": SERVERS,
                "g1sk": joined(host, s.id),
                "g2pk": SERVERS,
                "g2sk": joined(state, s.id),
                "g3pk": f"scope#{s.account_id}#{s.region}",
                "g3sk": s.id,
            }
            self._unit.put(item, ahead=True)

    def get(self, server_id: str) -> SourceServer | None:
        """One server, or None."""
        item = self._unit.get(SERVERS, server_id)
        return SourceServer.model_validate_json(item["body"]) if item else None

    def get_many(self, server_ids: Iterable[str]) -> dict[str, SourceServer]:
        """The known servers among the ids, by id."""
        found = self._unit.get_many((SERVERS, i) for i in server_ids)
        servers = parse_all(list(found.values()), SourceServer.model_validate_json)
        return {s.id: s for s in servers}

    def in_scope(self, account_id: str, region: str) -> list[SourceServer]:
        """Every server of one account and region, by id."""
        items = self._unit.query(f"scope#{account_id}#{region}", index="g3")
        return parse_all(items, SourceServer.model_validate_json)

    def page(self, query: ServerQuery) -> Page[SourceServer]:
        """A filtered, sorted page of servers."""
        page = self._page(query)
        items = _SERVERS.validate_json("[" + ",".join(i["body"] for i in page.items) + "]")
        return Page(items=items, next_cursor=page.next_cursor)

    def page_json(self, query: ServerQuery) -> Page[str]:
        """The same page as `page`, each server as JSON with its `group_id` and `group_name`."""
        page = self._page(query)
        holders = self._holders_of([i["sk"] for i in page.items])
        rendered = []
        for item in page.items:
            group_id, group_name = holders.get(item["sk"], (None, None))
            extra = f',"group_id":{_dump(group_id)},"group_name":{_dump(group_name)}}}'
            rendered.append(item["body"][:-1] + extra)
        return Page(items=rendered, next_cursor=page.next_cursor)

    def _page(self, query: ServerQuery) -> Page[Item]:
        check_limit(query.limit)
        candidates = None
        if query.group_id is not None:
            members = self._unit.query(f"grpmem#{query.group_id}", index="g1")
            found = self._unit.get_many((SERVERS, m["g1sk"]) for m in members)
            candidates = list(found.values())
        return fetch_page(
            self._unit,
            self._cursors,
            kind=SERVERS,
            sort=query.sort,
            indexed=SERVER_INDEXES,
            computed=SERVER_COMPUTED,
            limit=query.limit,
            cursor=query.cursor,
            select=lambda items: self._select(items, query),
            candidates=candidates,
        )

    def _select(self, items: list[Item], query: ServerQuery) -> list[Item]:
        """The items matching the query's filters (FilterExpression's work, done here)."""
        search = query.search.lower() if query.search else None
        kept = [
            i
            for i in items
            if (query.account_id is None or i["acct"] == query.account_id)
            and (query.region is None or i["region"] == query.region)
            and (query.replication_state is None or i["state"] == query.replication_state)
            and (search is None or search in i["host"])
            and _has_tags(i, query.tags)
        ]
        if query.assigned is None or not kept:
            return kept
        held = self._unit.get_many(_member_key(i["sk"]) for i in kept)
        return [i for i in kept if (_member_key(i["sk"]) in held) == query.assigned]

    def _holders_of(self, server_ids: list[str]) -> dict[str, tuple[str, str]]:
        return _holders(self._unit, server_ids)

    def delete_missing(self, account_id: str, region: str, keep: set[str]) -> int:
        """Forget servers of a scope that DRS no longer reports; returns how many."""
        gone = [s.id for s in self.in_scope(account_id, region) if s.id not in keep]
        for server_id in gone:
            self._unit.delete(SERVERS, server_id, ahead=True)
        return len(gone)


def _has_tags(item: Item, tags: dict[str, str]) -> bool:
    if not tags:
        return True
    stored = json.loads(item["tags"])
    return all(stored.get(k) == v for k, v in tags.items())


def _holders(unit: Unit, server_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """For each server in a group: (group id, group name)."""
    memberships = unit.get_many(_member_key(s) for s in server_ids)
    group_ids = {m["group_id"] for m in memberships.values()}
    groups = unit.get_many((GROUPS, g) for g in group_ids)
    names = {key[1]: item["name"] for key, item in groups.items()}
    return {
        key[0].removeprefix("mem#"): (m["group_id"], names[m["group_id"]])
        for key, m in memberships.items()
        if m["group_id"] in names
    }


def _doc_extra(name: str, item_id: str, created: str, kind: str) -> dict[str, str]:
    return {
        "g1pk": kind,
        "g1sk": joined(name.lower(), item_id),
        "g2pk": kind,
        "g2sk": joined(created, item_id),
    }


class DynamoGroups:
    """Protection groups as documents; each member is an item keyed by its server."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._docs = Documents(unit, GROUPS, "protection group")

    def add(self, group: ProtectionGroup) -> None:
        """Insert a new group."""
        self._docs.add(
            group.id, group.model_dump_json(), group.version, group.name, **self._extra(group)
        )

    def update(self, group: ProtectionGroup, *, expected_version: int) -> None:
        """Replace a group whose stored version is `expected_version`."""
        self._docs.update(
            group.id,
            group.model_dump_json(),
            group.version,
            expected_version,
            group.name,
            **self._extra(group),
        )

    def _extra(self, group: ProtectionGroup) -> dict[str, str]:
        extra = _doc_extra(group.name, group.id, group.created_at.isoformat(), GROUPS)
        return {**extra, "acct": group.account_id, "region": group.region}

    def delete(self, group_id: str, *, expected_version: int | None) -> None:
        """Delete a group (and its membership)."""
        self._docs.delete(group_id, expected_version)
        for server_id in self.members(group_id):
            self._unit.delete(*_member_key(server_id), ahead=True)

    def get(self, group_id: str) -> ProtectionGroup | None:
        """One group, or None."""
        item = self._docs.get(group_id)
        return ProtectionGroup.model_validate_json(item["body"]) if item else None

    def get_many(self, group_ids: Iterable[str]) -> dict[str, ProtectionGroup]:
        """The existing groups among the ids, by id."""
        found = self._unit.get_many((GROUPS, g) for g in group_ids)
        return {k[1]: ProtectionGroup.model_validate_json(v["body"]) for k, v in found.items()}

    def find_by_name(self, name: str) -> ProtectionGroup | None:
        """The group with this name, ignoring case."""
        item = self._docs.by_name(name)
        return ProtectionGroup.model_validate_json(item["body"]) if item else None

    def page(self, query: ListQuery) -> Page[ProtectionGroup]:
        """A filtered, sorted page of groups."""
        page = self._page(query)
        return Page(
            items=parse_all(page.items, ProtectionGroup.model_validate_json),
            next_cursor=page.next_cursor,
        )

    def page_json(self, query: ListQuery) -> Page[str]:
        """The same page as `page`, each group as JSON with its sorted `member_server_ids`."""
        page = self._page(query)
        rendered = [
            i["body"][:-1] + f',"member_server_ids":{_dump(self._members_of(i))}}}'
            for i in page.items
        ]
        return Page(items=rendered, next_cursor=page.next_cursor)

    def _page(self, query: ListQuery) -> Page[Item]:
        search = query.search.lower() if query.search else None

        def select(items: list[Item]) -> list[Item]:
            return [
                i
                for i in items
                if (not query.account_id or i["acct"] == query.account_id)
                and (not query.region or i["region"] == query.region)
                and (search is None or search in i["name"].lower())
            ]

        return fetch_page(
            self._unit,
            self._cursors,
            kind=GROUPS,
            sort=query.sort,
            indexed=DOC_INDEXES,
            computed={},
            limit=query.limit,
            cursor=query.cursor,
            select=select,
        )

    def all(self) -> list[ProtectionGroup]:
        """Every group, by name."""
        items = self._unit.query(GROUPS, index="g1")
        return parse_all(items, ProtectionGroup.model_validate_json)

    def in_account(self, account_id: str) -> list[ProtectionGroup]:
        """The groups of one account, by name."""
        return [g for g in self.all() if g.account_id == account_id]

    def set_members(self, group_id: str, server_ids: Sequence[str]) -> None:
        """Make `server_ids` the group's members; a server held by another group conflicts."""
        wanted = list(dict.fromkeys(server_ids))
        held = self._unit.get_many(_member_key(s) for s in wanted)
        if any(m["group_id"] != group_id for m in held.values()):
            raise ConflictError(
                "a server of this group already belongs to another protection group",
                conflicts=[{"group_id": group_id}],
            )
        keep = set(wanted)
        for server_id in self.members(group_id):
            if server_id not in keep:
                self._unit.delete(*_member_key(server_id), ahead=True)
        for server_id in wanted:
            pk, sk = _member_key(server_id)
            item = {"pk": pk, "sk": sk, "group_id": group_id}
            item.update({"g1pk": f"grpmem#{group_id}", "g1sk": server_id})
            # Conditioned on what was read: absent, or this group's; so never two groups.
            self._unit.put(item, new=True, ahead=len(wanted) > 50)
        group = self._docs.get(group_id)
        if group is not None:
            kept = {k: v for k, v in group.items() if k != "members"}
            if len(wanted) <= MEMBERS_ON_ITEM:
                kept["members"] = _dump(sorted(wanted))
            self._unit.put(kept)

    def _members_of(self, item: Item) -> list[str]:
        # set_members keeps a copy on the group item, so a page needs no query per group;
        # an update that did not set members rewrote the item without it: ask the index.
        if "members" in item:
            found: list[str] = json.loads(item["members"])
            return found
        return self.members(item["sk"])

    def members(self, group_id: str) -> list[str]:
        """Ids of the group's servers, sorted."""
        return [m["g1sk"] for m in self._unit.query(f"grpmem#{group_id}", index="g1")]

    def holders(self, server_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """For each server already in a group: (group id, group name)."""
        return _holders(self._unit, server_ids)


class DynamoPlans:
    """Recovery plans as documents, with an item per (group, plan) for `using_group`."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._docs = Documents(unit, PLANS, "recovery plan")

    def add(self, plan: RecoveryPlan) -> None:
        """Insert a new plan."""
        extra = _doc_extra(plan.name, plan.id, plan.created_at.isoformat(), PLANS)
        self._docs.add(plan.id, plan.model_dump_json(), plan.version, plan.name, **extra)
        self._index_groups(plan, set())

    def update(self, plan: RecoveryPlan, *, expected_version: int) -> None:
        """Replace a plan whose stored version is `expected_version`."""
        extra = _doc_extra(plan.name, plan.id, plan.created_at.isoformat(), PLANS)
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
