"""List pages over the table: walked along an index, or sorted in memory when none fits."""

from __future__ import annotations

from collections.abc import Callable

from drorch.adapters.storage.dynamodb.common import decode_cursor, encode_cursor
from drorch.adapters.storage.dynamodb.table import Item
from drorch.adapters.storage.dynamodb.unit import Select, Unit
from drorch.adapters.storage.paging import Cursors, check_limit, parse_sort
from drorch.ports.store import Page

SortKey = Callable[[Item], str]


def fetch_page(
    unit: Unit,
    cursors: Cursors,
    *,
    kind: str,
    sort: str,
    indexed: dict[str, str | None],
    computed: dict[str, SortKey],
    limit: int,
    cursor: str | None,
    select: Select | None = None,
    candidates: list[Item] | None = None,
) -> Page[Item]:
    """One page of a kind's items in `sort` order, with the cursor of the next page.

    A sort with an index (`indexed`: sort name -> index, None = the table's own sort key)
    walks it with ExclusiveStartKey; other sorts, or a fixed set of `candidates`, are
    sorted in memory by a computed key. Either way the cursor holds the last key.
    """
    limit = check_limit(limit)
    allowed = {name: name for name in [*indexed, *computed]}
    sort_key, _, descending = parse_sort(sort, allowed)
    name = sort_key.lstrip("-")
    start = decode_cursor(cursors, cursor, sort_key)
    if candidates is None and name in indexed:
        items, last = unit.page(
            kind,
            index=indexed[name],
            forward=not descending,
            limit=limit,
            start=start,
            select=select,
        )
    else:
        pool = candidates if candidates is not None else unit.query(kind)
        order = computed.get(name) or _index_key(indexed[name])
        items, last = _in_memory(pool, order, descending, limit, start, select)
    next_cursor = encode_cursor(cursors, sort_key, last) if last else None
    return Page(items=items, next_cursor=next_cursor)


def _index_key(index: str | None) -> SortKey:
    name = f"{index}sk" if index else "sk"
    return lambda item: str(item[name])


def _in_memory(
    pool: list[Item],
    order: SortKey,
    descending: bool,
    limit: int,
    start: Item | None,
    select: Select | None,
) -> tuple[list[Item], Item | None]:
    ranked = sorted(((order(i), i) for i in pool), key=lambda p: p[0], reverse=descending)
    if start is not None and "at" in start:
        mark = start["at"]
        ranked = [(k, i) for k, i in ranked if (k < mark if descending else k > mark)]
    chosen = [i for i in (select([i for _, i in ranked]) if select else [i for _, i in ranked])]
    if len(chosen) <= limit:
        return chosen, None
    last = chosen[limit - 1]
    return chosen[:limit], {"pk": last["pk"], "sk": last["sk"], "at": order(last)}
