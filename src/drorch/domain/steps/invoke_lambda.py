"""`invoke_lambda`: a custom hook; the function's error fails the step."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class InvokeLambdaParams(Model):
    """The function (optionally a version or alias) and the JSON payload it receives."""

    function_name: str = Field(min_length=1, max_length=170, pattern=r"^[\w:.-]+$")
    qualifier: str | None = Field(default=None, max_length=128, pattern=r"^[\w$-]+$")
    payload: dict[str, Any] = Field(default_factory=dict)


TYPE = StepType(
    name="invoke_lambda",
    params=InvokeLambdaParams,
    drill_default=InDrill.SIMULATE,  # a hook may do anything: a drill only checks it exists
    undoable=False,
    summary="Invoke a Lambda function as a hook; a function error fails the step.",
)
