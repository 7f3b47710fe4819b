"""Read-only fields a client may send back in a PUT, as the GET gave them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, Field

D = TypeVar("D", bound=BaseModel)


class ReadOnlyEcho(BaseModel):
    """Fields GET returns that PUT takes back: ignored when they match, 422 when they differ."""

    id: str | None = Field(default=None, description="Read-only; must be the resource's id.")
    version: int | None = Field(
        default=None, ge=1, description="The version read; counts as If-Match (412 when stale)."
    )
    created_at: datetime | None = Field(default=None, description="Read-only; must match.")
    updated_at: datetime | None = Field(default=None, description="Read-only; must match.")


def split_echo(body: BaseModel, draft_type: type[D]) -> tuple[D, dict[str, Any]]:
    """The draft a PUT body carries, and the read-only fields it sent back (version excluded)."""
    draft_fields = set(draft_type.model_fields)
    # Already validated as part of the body: build the draft without validating twice.
    draft = draft_type.model_construct(
        _fields_set=body.model_fields_set & draft_fields,
        **{name: getattr(body, name) for name in draft_fields},
    )
    # Warnings are advice worked out again on every save: what a client read is no claim.
    sent = body.model_fields_set - draft_fields - {"version", "warnings", "readiness"}
    echoed = {
        name: getattr(body, name)
        for name in type(body).model_fields  # in declaration order, so errors read in order
        if name in sent and getattr(body, name) is not None
    }
    return draft, echoed
