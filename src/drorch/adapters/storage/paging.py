"""Opaque keyset cursors shared by the store adapters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from typing import Any

from drorch.errors import ValidationError
from drorch.ports.store import MAX_PAGE_SIZE

# Sort values are TEXT columns or sequence numbers; SQLite integers are 64-bit.
MAX_INT = 2**63 - 1
MAX_TEXT = 1024
SIGNATURE_BYTES = 16
CursorKind = type[str] | type[int]


class Cursors:
    """Keyset cursors signed with one key: opaque to clients, tamper-evident, type-checked."""

    def __init__(self, key: bytes | None = None) -> None:
        # Without a configured key, cursors stay valid for this process only.
        self._key = key or secrets.token_bytes(32)

    def encode(self, sort: str, value: Any, item_id: str) -> str:
        """A cursor pointing just after (value, id) in the given sort."""
        raw = json.dumps([sort, value, item_id], separators=(",", ":")).encode()
        payload = _b64(raw)
        return f"{payload}.{self._sign(payload)}"

    def decode(self, cursor: str, sort: str, kind: CursorKind = str) -> tuple[Any, str]:
        """The (value, id) a cursor points after; refuses forged, foreign or mistyped ones."""
        payload, _, signature = cursor.partition(".")
        if not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise _bad_cursor("the cursor is not one this API issued")
        try:
            cursor_sort, value, item_id = json.loads(base64.urlsafe_b64decode(_pad(payload)))
        except (ValueError, TypeError) as exc:
            raise _bad_cursor("the cursor is not one this API issued") from exc
        if cursor_sort != sort:
            raise _bad_cursor("the cursor belongs to another sort order; start again without it")
        if not isinstance(item_id, str) or not _typed(value, kind):
            raise _bad_cursor("the cursor holds values of the wrong type")
        return value, item_id

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._key, payload.encode(), hashlib.sha256).digest()
        return _b64(digest[:SIGNATURE_BYTES])


def _typed(value: Any, kind: CursorKind) -> bool:
    """True when a decoded sort value is one the store can compare with its column."""
    if kind is int:
        # bool is an int to Python, never a sequence number.
        return type(value) is int and 0 <= value <= MAX_INT
    return value is None or (isinstance(value, str) and len(value) <= MAX_TEXT)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)


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
