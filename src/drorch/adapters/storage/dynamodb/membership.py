"""Group membership: one item per grouped server, and who holds the servers of a page.

`mem#<server>` is the truth (its conditional put keeps a server in one group); each group
item also carries a copy of its sorted member ids (`members`), written in the same unit.
A page of servers learns its groups from one query of the group partition (billed by
size, not per item) instead of one strongly consistent read per server; when the groups
are too many for that, or one lacks its copy, it reads the member items as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from drorch.adapters.storage.dynamodb.catalog import GROUPS
from drorch.adapters.storage.dynamodb.unit import Unit

# Up to this many member ids are copied onto the group item (about 44 KB): far from 400 KB.
MEMBERS_ON_ITEM = 2000
# A page reads the group partition when it fits in this many query pages (1 MB each).
GROUP_PAGES = 1


def member_key(server_id: str) -> tuple[str, str]:
    """The key of a server's membership item."""
    return f"mem#{server_id}", "-"


def holders(unit: Unit, server_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """For each server in a group: (group id, group name), from the member items."""
    memberships = unit.get_many(member_key(s) for s in server_ids)
    group_ids = {m["group_id"] for m in memberships.values()}
    groups = unit.get_many((GROUPS, g) for g in group_ids)
    names = {key[1]: item["name"] for key, item in groups.items()}
    return {
        key[0].removeprefix("mem#"): (m["group_id"], names[m["group_id"]])
        for key, m in memberships.items()
        if m["group_id"] in names
    }


def page_holders(unit: Unit, server_ids: list[str]) -> dict[str, tuple[str, str]]:
    """The holders of a page's servers, from the groups' member copies when they suffice."""
    if not server_ids:
        return {}
    # A unit with writes of its own reads through its buffer: the member items do that.
    copies = None if unit.dirty else _member_copies(unit)
    if copies is None:
        return holders(unit, server_ids)
    wanted = set(server_ids)
    return {s: held for s, held in copies.items() if s in wanted}


def _member_copies(unit: Unit) -> dict[str, tuple[str, str]] | None:
    """Server -> (group id, name) from every group item; None when a copy is missing."""
    found: dict[str, tuple[str, str]] = {}
    start = None
    for _ in range(GROUP_PAGES):
        items, start = unit.table.query(GROUPS, start=start)
        for item in items:
            if "members" not in item:
                return None
            for server_id in json.loads(item["members"]):
                found[server_id] = (item["sk"], item["name"])
        if start is None:
            return found
    return None
