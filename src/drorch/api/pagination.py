"""Shared list envelope and query parameters."""

from __future__ import annotations

import json
from typing import Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel

from drorch.ports.store import Page

T = TypeVar("T")
JSON = "application/json"


class PageRead(BaseModel, Generic[T]):
    """A page of items; pass `next_cursor` back as `cursor` for the next page."""

    items: list[T]
    next_cursor: str | None = None


def page_response(page: Page[str]) -> Response:
    """A page whose items are JSON texts already, sent without parsing or rendering them."""
    items = ",".join(page.items)
    body = f'{{"items":[{items}],"next_cursor":{json.dumps(page.next_cursor)}}}'
    return Response(body.encode(), media_type=JSON)


def array_page_response(items: bytes, next_cursor: str | None) -> Response:
    """A page whose items are one JSON array already (a whole page rendered in one call)."""
    cursor = json.dumps(next_cursor).encode()
    return Response(b'{"items":' + items + b',"next_cursor":' + cursor + b"}", media_type=JSON)
