"""DynamoDB repository of protection groups: documents, each member an item keyed by its server."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from drorch.adapters.storage.dynamodb.catalog import DOC_INDEXES, GROUPS, doc_extra, dump
from drorch.adapters.storage.dynamodb.common import Documents, parse_all
from drorch.adapters.storage.dynamodb.membership import MEMBERS_ON_ITEM, holders, member_key
from drorch.adapters.storage.dynamodb.paging import fetch_page
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors
from drorch.domain.groups import ProtectionGroup
from drorch.errors import ConflictError
from drorch.ports.store import ListQuery, Page


class DynamoGroups:
    """Protection groups as documents; each member is an item keyed by its server."""

    def __init__(self, unit: Unit, cursors: Cursors) -> None:
        self._unit = unit
        self._cursors = cursors
        self._docs = Documents(unit, GROUPS, "protection group", keep=("members",))

    def add(self, group: ProtectionGroup) -> None:
        """Insert a new group."""
        # No members yet (set_members copies them here): a page of servers can trust it.
        extra = {**self._extra(group), "members": dump([])}
        self._docs.add(group.id, group.model_dump_json(), group.version, group.name, **extra)

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
        extra = doc_extra(group.name, group.id, group.created_at.isoformat(), GROUPS)
        return {**extra, "acct": group.account_id, "region": group.region}

    def delete(self, group_id: str, *, expected_version: int | None) -> None:
        """Delete a group (and its membership)."""
        self._docs.delete(group_id, expected_version)
        for server_id in self.members(group_id):
            self._unit.delete(*member_key(server_id), ahead=True)

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
            i["body"][:-1] + f',"member_server_ids":{dump(self._members_of(i))}}}'
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
        held = self._unit.get_many(member_key(s) for s in wanted)
        if any(m["group_id"] != group_id for m in held.values()):
            raise ConflictError(
                "a server of this group already belongs to another protection group",
                conflicts=[{"group_id": group_id}],
            )
        keep = set(wanted)
        for server_id in self.members(group_id):
            if server_id not in keep:
                self._unit.delete(*member_key(server_id), ahead=True)
        for server_id in wanted:
            pk, sk = member_key(server_id)
            item = {"pk": pk, "sk": sk, "group_id": group_id}
            item.update({"g1pk": f"grpmem#{group_id}", "g1sk": server_id})
            # Conditioned on what was read: absent, or this group's; so never two groups.
            self._unit.put(item, new=True, ahead=len(wanted) > 50)
        group = self._docs.get(group_id)
        if group is not None:
            kept = {k: v for k, v in group.items() if k != "members"}
            if len(wanted) <= MEMBERS_ON_ITEM:
                kept["members"] = dump(sorted(wanted))
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
        return holders(self._unit, server_ids)
