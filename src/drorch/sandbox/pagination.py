"""nextToken pagination over a sorted list (tokens are opaque offsets, checked on use)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from drorch.sandbox.errors import Validation

T = TypeVar("T")
DEFAULT_PAGE = 100
MAX_PAGE = 1000


def page(items: Sequence[T], params: dict[str, Any], salt: str) -> tuple[list[T], str | None]:
    """One page of `items` for the request's maxResults/nextToken, and the next token."""
    size = min(int(params.get("maxResults") or DEFAULT_PAGE), MAX_PAGE)
    start = _decode(params.get("nextToken"), salt)
    chunk = list(items[start : start + size])
    end = start + len(chunk)
    return chunk, (_encode(end, salt) if end < len(items) else None)


def _encode(offset: int, salt: str) -> str:
    raw = json.dumps({"o": offset, "s": salt}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str | None, salt: str) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = data["o"]
        ok = isinstance(offset, int) and offset >= 0 and data.get("s") == salt
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise Validation(
            "nextToken is not valid for this request",
            fields=[{"name": "nextToken", "message": "unknown or expired pagination token"}],
        )
    return int(offset)
