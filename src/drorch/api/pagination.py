"""Shared list envelope and query parameters."""

from __future__ import annotations

import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Response
from pydantic import BaseModel, TypeAdapter

from drorch.ports.store import MAX_PAGE_SIZE

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (1-500).")]
Cursor = Annotated[
    str | None, Query(max_length=2048, description="next_cursor of the previous page.")
]


class PageRead(BaseModel, Generic[T]):
    """A page of items; pass `next_cursor` back as `cursor` for the next page."""

    items: list[T]
    next_cursor: str | None = None


def page_response(
    adapter: TypeAdapter[list[Any]], items: list[Any], cursor: str | None
) -> Response:
    """A page as JSON, with the items serialized in one pass straight from domain objects."""
    body = b'{"items":%s,"next_cursor":%s}' % (
        adapter.dump_json(items),
        json.dumps(cursor).encode(),
    )
    return Response(body, media_type="application/json")
