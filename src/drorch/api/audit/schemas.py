"""Audit-log JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from drorch.api.query import PageQuery
from drorch.domain.audit import Outcome


class AuditListQuery(PageQuery):
    """Query string of GET /audit."""

    principal: str | None = Field(None, max_length=128, description="Subject id or username.")
    action: str | None = Field(None, max_length=64, description="e.g. execution.start")
    target_type: str | None = Field(None, max_length=64)
    target_id: str | None = Field(None, max_length=128)
    # A Literal, not the enum: query parameters are documented with inline schemas.
    outcome: Literal["success", "denied", "refused", "failed"] | None = None
    since: datetime | None = Field(None, description="At or after this time.")
    until: datetime | None = Field(None, description="Before this time.")


class AuditRecordRead(BaseModel):
    """One audit record."""

    seq: int
    id: str
    at: datetime
    principal: str | None
    username: str | None
    role: str | None
    source: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: Outcome
    status: int | None
    request_id: str | None
    client: str | None
    comment: str | None
    detail: dict[str, Any]
