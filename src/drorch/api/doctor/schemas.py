"""Schemas of /api/v1/doctor."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from drorch.domain.doctor import CheckStatus


class CheckRead(BaseModel):
    """One checklist item: what was found and what to do."""

    name: str
    status: CheckStatus
    message: str
    items: list[str] = Field(default_factory=list)


class DoctorRead(BaseModel):
    """The morning checklist; `status` is the worst of its checks."""

    status: CheckStatus
    checked_at: datetime
    checks: list[CheckRead]
