"""`cloudfront_invalidate`: invalidate paths of a CloudFront distribution."""

from __future__ import annotations

from pydantic import Field, field_validator

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class CloudfrontInvalidateParams(Model):
    """The distribution and the paths (each starting with `/`, `*` allowed at the end)."""

    distribution_id: str = Field(pattern=r"^[A-Z0-9]{1,32}$")
    paths: list[str] = Field(default_factory=lambda: ["/*"], min_length=1, max_length=3000)

    @field_validator("paths")
    @classmethod
    def _absolute(cls, paths: list[str]) -> list[str]:
        bad = [p for p in paths if not p.startswith("/")]
        if bad:
            raise ValueError(f"paths must start with '/': {bad[:5]}")
        return paths


TYPE = StepType(
    name="cloudfront_invalidate",
    params=CloudfrontInvalidateParams,
    drill_default=InDrill.RUN,  # an invalidation only makes the CDN fetch again
    undoable=False,
    summary="Invalidate CloudFront paths and wait until the invalidation is Completed.",
)
