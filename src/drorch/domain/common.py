"""Small shared pieces of the domain: ids, timestamps, field errors."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base of domain models: unknown fields are refused, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def new_id(prefix: str) -> str:
    """A short random id with a readable prefix, e.g. `pg-3f9a1c2b7d4e`."""
    return f"{prefix}-{secrets.token_hex(6)}"


def utcnow() -> datetime:
    """The current time in UTC, to the millisecond."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class FieldProblem:
    """One broken rule, located by a field path such as `waves[1].depends_on`."""

    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as it appears in problem+json `errors`."""
        return {"path": self.path, "message": self.message}
