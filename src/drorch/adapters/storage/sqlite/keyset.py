"""Keyset pagination over SQLite tables."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import TypeAdapter

from drorch.adapters.storage.paging import Cursors, check_limit, parse_sort
from drorch.ports.store import Page

T = TypeVar("T")
# Between the JSON texts of one page: compact JSON escapes every control character, so
# the record separator never occurs inside one.
SEPARATOR = "\x1e"


@dataclass
class Select:
    """A SELECT of one JSON text per row (`t.body` unless told) from one table, with WHEREs.

    `joins` are LEFT JOINs the body reads. With `late`, body and joins apply to the page's
    rows only, after the LIMIT (the body may then read only `t.body` and `t.id`).
    """

    table: str
    body: str = "t.body"
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    joins: str = ""
    late: bool = False

    def add(self, clause: str, *params: Any) -> None:
        """AND a clause onto the WHERE."""
        self.where.append(clause)
        self.params.extend(params)


def fetch_page(
    conn: sqlite3.Connection,
    select: Select,
    *,
    sort: str,
    allowed: dict[str, str],
    limit: int,
    cursor: str | None,
    cursors: Cursors,
) -> Page[str]:
    """One page of `select`'s JSON texts in the asked order, with the cursor of the next page."""
    limit = check_limit(limit)
    sort_key, column, descending = parse_sort(sort, allowed)
    op, direction = ("<", "DESC") if descending else (">", "ASC")
    if cursor:
        value, last_id = cursors.decode(cursor, sort_key)
        select.add(f"({column} {op} ? OR ({column} = ? AND t.id {op} ?))", value, value, last_id)
    sql = _one_row(_sql(select, column, direction, limit + 1))
    bodies, keys, count = conn.execute(sql, select.params).fetchone()
    items = bodies.split(SEPARATOR)[:limit] if count else []
    next_cursor = None
    if count > limit:
        last_value, last_id = json.loads(keys)[limit - 1]
        next_cursor = cursors.encode(sort_key, last_value, last_id)
    return Page(items=items, next_cursor=next_cursor)


def _one_row(page_sql: str) -> str:
    """The page's rows folded into one row: bodies, [sort value, id] pairs, count.

    SQLite lets go of the GIL for every row it steps to; a page folded into one row costs
    one hand-off instead of a hundred, which matters when engine threads want the GIL too.
    The aggregates read the LIMITed subquery's rows in its ORDER BY order (SQLite runs it
    as a co-routine; it cannot be flattened into an aggregate).
    """
    return (
        f"SELECT group_concat(p.body, char({ord(SEPARATOR)})), "
        "json_group_array(json_array(p.sort_value, p.id)), count(*) "
        f"FROM ({page_sql}) p"
    )


def _sql(select: Select, column: str, direction: str, rows: int) -> str:
    """The page's SQL (columns body, sort_value, id) of at most `rows` rows."""
    where = f"WHERE {' AND '.join(select.where)}" if select.where else ""
    # Every ORDER BY comes with its LIMIT (an int): newer SQLite drops a subquery's ORDER
    # BY that has none when it thinks the order cannot matter, but the aggregate reads it.
    order = f"ORDER BY {column} {direction}, t.id {direction} LIMIT {int(rows)}"
    if not select.late:
        return (
            f"SELECT {select.body} AS body, {column} AS sort_value, t.id AS id "
            f"FROM {select.table} t {select.joins} {where} {order}"
        )
    # SQLite renders each row before sorting it; rendered outside the LIMIT, a page only.
    page = f"SELECT t.body, {column} AS sort_value, t.id FROM {select.table} t {where} {order}"
    return (
        f"SELECT {select.body} AS body, t.sort_value AS sort_value, t.id AS id FROM ({page}) t "
        f"{select.joins} ORDER BY t.sort_value {direction}, t.id {direction} LIMIT {int(rows)}"
    )


def parse_page(page: Page[str], documents: TypeAdapter[list[T]]) -> Page[T]:
    """The page with its JSON texts parsed into models."""
    # One validation call for the whole page is about twice as fast as one per row.
    items = documents.validate_json("[" + ",".join(page.items) + "]")
    return Page(items=items, next_cursor=page.next_cursor)
