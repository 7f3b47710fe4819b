"""`ssm_automation`: run an SSM Automation document and wait for its terminal status."""

from __future__ import annotations

from pydantic import Field

from drorch.domain.common import Model
from drorch.domain.steps.base import InDrill, StepType


class SsmAutomationParams(Model):
    """The Automation document (optionally a version) and its parameters."""

    document_name: str = Field(min_length=3, max_length=128, pattern=r"^[\w.:/-]+$")
    document_version: str | None = Field(default=None, pattern=r"^([$]LATEST|[$]DEFAULT|\d+)$")
    parameters: dict[str, list[str]] = Field(default_factory=dict, max_length=200)


TYPE = StepType(
    name="ssm_automation",
    params=SsmAutomationParams,
    drill_default=InDrill.SIMULATE,  # an automation may change anything: check it exists
    undoable=False,
    summary="Run an SSM Automation document until it ends (Success, or a failure).",
)
