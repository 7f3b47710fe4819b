"""Keyset pages folded into one row: one statement per page, the order and bodies intact."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.store import ServerQuery
from tests.support.builders import server

HOSTS = ["b\x1eone", "a,two", 'c"three}', "a,two", "d\\four", "e"]


@pytest.fixture(scope="module")
def store() -> Iterator[SqliteStore]:
    made = SqliteStore(":memory:")
    with made.transaction() as uow:
        uow.servers.upsert_many([server(n, hostname=h) for n, h in enumerate(HOSTS)])
    yield made
    made.close()


def walk(store: SqliteStore, sort: str, limit: int) -> tuple[list[dict[str, object]], int]:
    """Every page of the server listing; (items parsed, statements the pages ran)."""
    seen: list[str] = []
    items: list[dict[str, object]] = []
    cursor = None
    with store.db.connection() as conn:
        conn.set_trace_callback(seen.append)
        try:
            while True:
                with store.read() as uow:
                    page = uow.servers.page_json(ServerQuery(sort=sort, limit=limit, cursor=cursor))
                items += [json.loads(text) for text in page.items]
                cursor = page.next_cursor
                if cursor is None:
                    break
        finally:
            conn.set_trace_callback(None)
    return items, sum(s.lstrip().upper().startswith("SELECT") for s in seen)


@pytest.mark.parametrize("sort", ["hostname", "-hostname", "id", "-id"])
def test_a_walk_returns_every_server_once_in_order(store: SqliteStore, sort: str) -> None:
    items, _ = walk(store, sort, limit=2)
    key = sort.lstrip("-")
    values = [(str(i[key]).lower() if key == "hostname" else i[key], i["id"]) for i in items]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert sorted(i["id"] for i in items) == sorted(s.id for s in map(server, range(len(HOSTS))))


def test_bodies_with_separators_and_quotes_come_back_whole(store: SqliteStore) -> None:
    items, _ = walk(store, "id", limit=4)
    assert [i["hostname"] for i in items] == HOSTS  # the ids were made in this order
    assert all(i["group_id"] is None for i in items)  # the joined field, spliced in


def test_each_page_is_one_statement(store: SqliteStore) -> None:
    # Stepping through rows lets go of the GIL once per row; a folded page steps once.
    _, selects = walk(store, "hostname", limit=2)
    assert selects == 3  # three pages of two, nothing else


def test_an_empty_page_has_no_items_and_no_cursor(store: SqliteStore) -> None:
    with store.read() as uow:
        page = uow.servers.page_json(ServerQuery(search="no-such-host", limit=5))
    assert page.items == [] and page.next_cursor is None
