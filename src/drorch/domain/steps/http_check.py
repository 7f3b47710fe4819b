"""`http_check`: call a URL until it answers the expected status (and body text)."""

from __future__ import annotations

from pydantic import AnyHttpUrl, Field, field_validator

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType

METHODS = ("GET", "HEAD", "POST")


class HttpCheckParams(Model):
    """The request to make and what counts as an answer."""

    url: AnyHttpUrl
    method: str = Field(default="GET", description="GET, HEAD or POST.")
    expected_status: int = Field(default=200, ge=100, le=599)
    body_contains: str | None = Field(default=None, max_length=1000)
    interval_seconds: float = Field(default=10, ge=0.1, le=3600)
    attempts: int = Field(default=6, ge=1, le=1000, description="Tries before the check fails.")
    request_timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        method = value.upper()
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")
        return method


TYPE = StepType(
    name="http_check",
    params=HttpCheckParams,
    drill_default=InDrill.RUN,
    undoable=False,
    summary="Call a URL until it answers the expected status and body.",
    uses_account=False,
)
