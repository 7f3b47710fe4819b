"""Audit records: who did what to which target, with what outcome."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from drorch.domain.common import Model

MAX_COMMENT = 500


class Outcome(StrEnum):
    """How a mutating request ended."""

    SUCCESS = "success"
    DENIED = "denied"  # not signed in or not allowed (401/403/429)
    REFUSED = "refused"  # the request broke a rule (other 4xx)
    FAILED = "failed"  # the server failed (5xx)


def outcome_of(status: int) -> Outcome:
    """The outcome an HTTP status stands for."""
    if status < 400:
        return Outcome.SUCCESS
    if status in (401, 403, 429):
        return Outcome.DENIED
    return Outcome.REFUSED if status < 500 else Outcome.FAILED


class AuditRecord(Model):
    """One append-only row of the audit log."""

    seq: int = 0
    id: str
    at: datetime
    principal: str | None = None
    username: str | None = None
    role: str | None = None
    source: str | None = None
    action: str
    target_type: str | None = None
    target_id: str | None = None
    outcome: Outcome
    status: int | None = None
    request_id: str | None = None
    client: str | None = None
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)
    detail: dict[str, Any] = Field(default_factory=dict)
