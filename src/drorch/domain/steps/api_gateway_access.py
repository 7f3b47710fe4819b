"""`api_gateway_access`: stop an API stage (throttle to 0) or resume it (settings put back)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class ApiGatewayAccessParams(Model):
    """The REST API's stage and whether to stop or resume it.

    `stop` records the stage's previous throttling in a tag on the stage itself, so a
    `resume` (in a later wave, or an operator's plan run after a crash) finds it there.
    """

    rest_api_id: str = Field(pattern=r"^[a-z0-9]{1,32}$")
    stage: str = Field(min_length=1, max_length=128, pattern=r"^[\w-]+$")
    mode: Literal["stop", "resume"]


TYPE = StepType(
    name="api_gateway_access",
    params=ApiGatewayAccessParams,
    drill_default=InDrill.SKIP,  # a drill never stops a production API unless the plan says run
    undoable=True,
    summary="Stop an API stage (throttle 0) or resume it; undo of a stop resumes it.",
)
