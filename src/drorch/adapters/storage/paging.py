"""Opaque keyset cursors shared by the store adapters."""

from __future__ import annotations

import base64
import json
from typing import Any

from drorch.errors import ValidationError
from drorch.ports.store import MAX_PAGE_SIZE


def encode_cursor(sort: str, value: Any, item_id: str) -> str:
    """A cursor pointing just after (value, id) in the given sort."""
    raw = json.dumps([sort, value, item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, str]:
    """The (value, id) a cursor points after; refuses cursors of another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, item_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError) as exc:
        raise _bad_cursor("the cursor is not one this API issued") from exc
    if cursor_sort != sort or not isinstance(item_id, str):
        raise _bad_cursor("the cursor belongs to another sort order; start again without it")
    return value, item_id


def check_limit(limit: int) -> int:
    """The page size, refused unless 1..MAX_PAGE_SIZE."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"limit must be between 1 and {MAX_PAGE_SIZE}",
            [{"path": "limit", "message": f"must be between 1 and {MAX_PAGE_SIZE}"}],
        )
    return limit


def parse_sort(sort: str, allowed: dict[str, str]) -> tuple[str, str, bool]:
    """(name, column, descending) for a sort like `-hostname`; refuses unknown fields."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in allowed:
        options = ", ".join(sorted(allowed))
        raise ValidationError(
            f"cannot sort by {name!r}", [{"path": "sort", "message": f"use one of: {options}"}]
        )
    return sort, allowed[name], descending


def _bad_cursor(message: str) -> ValidationError:
    return ValidationError(message, [{"path": "cursor", "message": message}])
