"""`invoke_lambda`: a custom hook; a function error fails the step.

Its executor lives with the AWS action executors; when none is registered the step fails
with `NoExecutor` rather than being skipped silently.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class InvokeLambdaParams(Model):
    """The function to call and the event it is given."""

    function_name: str = Field(min_length=1, max_length=256, description="Name, ARN or alias.")
    qualifier: str | None = Field(default=None, max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, description="The JSON event.")


TYPE = StepType(
    name="invoke_lambda",
    params=InvokeLambdaParams,
    drill_default=InDrill.SIMULATE,
    undoable=False,
    summary="Invoke a Lambda function as a custom hook.",
)
