"""`wait`: a timed pause inside a wave (e.g. let DNS caches expire before checking)."""

from __future__ import annotations

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class WaitParams(Model):
    """How long to wait."""

    minutes: float = Field(gt=0, le=1440, description="Minutes to wait (fractions allowed).")


TYPE = StepType(
    name="wait",
    params=WaitParams,
    drill_default=InDrill.RUN,
    undoable=False,
    summary="Wait a number of minutes.",
    uses_account=False,
)
