"""DynamoDB repository of the inventory: source servers, indexed by hostname, state and scope."""

from __future__ import annotations

import json
from collections.abc import Iterable

from pydantic import TypeAdapter

from drorch.adapters.storage.dynamodb.catalog import SERVERS, dump
from drorch.adapters.storage.dynamodb.common import joined, parse_all
from drorch.adapters.storage.dynamodb.membership import page_holders
from drorch.adapters.storage.dynamodb.paging import fetch_page
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Unit
from drorch.adapters.storage.paging import Cursors, check_limit
from drorch.domain.inventory import SourceServer
from drorch.ports.store import Page, ServerQuery

SERVER_INDEXES: dict[str, str | None] = {"hostname": "g1", "replication_state": "g2", "id": None}
SERVER_COMPUTED = {
    "account_id": lambda i: joined(i["acct"], i["sk"]),
    "region": lambda i: joined(i["region"], i["sk"]),
}
_SERVERS = TypeAdapter(list[SourceServer])


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
                "tags": dump(s.tags),
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
        holders = page_holders(self._unit, [i["sk"] for i in page.items])
        rendered = []
        for item in page.items:
            group_id, group_name = holders.get(item["sk"], (None, None))
            extra = f',"group_id":{dump(group_id)},"group_name":{dump(group_name)}}}'
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
        held = page_holders(self._unit, [i["sk"] for i in kept])
        return [i for i in kept if (i["sk"] in held) == query.assigned]

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
