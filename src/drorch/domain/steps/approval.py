"""`approval`: wait for a person whose role may approve for this execution type.

Who may decide is a permission (domain/identity.py): `drills:approve` in a drill,
`recoveries:approve` in a recovery. A decline fails the step (and so the wave, unless the
action says `continue`); the action's timeout counts as a decline.
"""

from __future__ import annotations

from pydantic import Field

from drorch.domain.common import Model, Text
from drorch.domain.steps.base import InDrill, StepType


class ApprovalParams(Model):
    """What the approver is asked."""

    prompt: Text = Field(
        default="Approve to go on", min_length=1, max_length=1000, description="Shown to approvers."
    )


TYPE = StepType(
    name="approval",
    params=ApprovalParams,
    drill_default=InDrill.RUN,
    undoable=False,
    summary="Wait for a person to approve or decline, with a comment.",
    uses_account=False,
)
