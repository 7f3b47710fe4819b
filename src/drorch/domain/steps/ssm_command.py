"""`ssm_command`: run a command document on instances and wait for every invocation."""

from __future__ import annotations

from pydantic import Field, model_validator

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class SsmCommandParams(Model):
    """The document, its parameters, and the instances: listed ids or the wave's recovered ones.

    With `recovered_instances` the engine resolves the wave's recovered EC2 instance ids
    and passes them in `instance_ids` when it starts the step.
    """

    document_name: str = Field(min_length=3, max_length=128, pattern=r"^[\w.:/-]+$")
    parameters: dict[str, list[str]] = Field(default_factory=dict, max_length=200)
    instance_ids: list[str] = Field(default_factory=list, max_length=50)
    recovered_instances: bool = Field(
        default=False, description="Run on the wave's recovered instances (resolved at start)."
    )
    timeout_seconds: int = Field(default=600, ge=30, le=172800)

    @model_validator(mode="after")
    def _targets(self) -> SsmCommandParams:
        if not self.instance_ids and not self.recovered_instances:
            raise ValueError("give instance_ids or set recovered_instances")
        bad = [i for i in self.instance_ids if not i.startswith(("i-", "mi-"))]
        if bad:
            raise ValueError(f"not instance ids: {bad[:5]}")
        return self


TYPE = StepType(
    name="ssm_command",
    params=SsmCommandParams,
    drill_default=InDrill.RUN,  # it runs on the drill's own recovered instances
    undoable=False,
    summary="Run an SSM command document on instances until every invocation ends.",
)
