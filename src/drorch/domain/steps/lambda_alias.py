"""`lambda_alias`: point a Lambda alias at a version, remembering the previous one."""

from __future__ import annotations

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class LambdaAliasParams(Model):
    """The function, its alias, and the version the alias should point at."""

    function_name: str = Field(min_length=1, max_length=140, pattern=r"^[\w:.-]+$")
    alias: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z_-][\w-]*$")
    version: str = Field(pattern=r"^(\$LATEST|[0-9]+)$", description="A published version.")


TYPE = StepType(
    name="lambda_alias",
    params=LambdaAliasParams,
    drill_default=InDrill.SKIP,  # the alias serves production traffic
    undoable=True,
    summary="Point a Lambda alias at a version; undo points it back at the previous one.",
)
