"""Shared list envelope and query parameters."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel

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
