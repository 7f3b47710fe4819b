"""Shared mechanics of versioned JSON documents (groups and plans)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError

T = TypeVar("T")


def check_version(
    conn: sqlite3.Connection, table: str, item_id: str, expected: int | None, noun: str
) -> None:
    """Raise 404 when the row is gone or 412 when its version is not the expected one."""
    row = conn.execute(f"SELECT version FROM {table} WHERE id = ?", (item_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"{noun} {item_id} does not exist")
    if expected is not None and row["version"] != expected:
        raise PreconditionFailedError(
            f"{noun} {item_id} is at version {row['version']}, not {expected}; "
            "read it again and retry",
            current_version=row["version"],
        )


def name_taken(noun: str, name: str, exc: sqlite3.IntegrityError) -> ConflictError:
    """The conflict raised when a unique name is already used."""
    return ConflictError(
        f"a {noun} named {name!r} already exists (names are case-insensitive)",
        conflicts=[{"field": "name", "value": name}],
    )


def load_one(
    conn: sqlite3.Connection, table: str, column: str, value: str, parse: Callable[[str], T]
) -> T | None:
    """The document whose `column` equals `value`, or None."""
    row = conn.execute(f"SELECT body FROM {table} WHERE {column} = ?", (value,)).fetchone()
    return parse(row["body"]) if row else None


def delete_one(
    conn: sqlite3.Connection, table: str, item_id: str, expected: int | None, noun: str
) -> None:
    """Delete a document after checking it exists at the expected version."""
    check_version(conn, table, item_id, expected, noun)
    conn.execute(f"DELETE FROM {table} WHERE id = ?", (item_id,))
