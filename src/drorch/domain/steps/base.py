"""What every action type declares: its name, parameter model, drill default and undo."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from drorch.domain.common import Model


class InDrill(StrEnum):
    """What an action does when its plan runs as a drill."""

    RUN = "run"  # do it for real (a drill-safe action, or the plan says so)
    SKIP = "skip"  # record it as skipped
    SIMULATE = "simulate"  # check what it would change, change nothing


@dataclass(frozen=True)
class StepType:
    """An action type as plans and the engine see it.

    `params` validates an action's parameters (errors name `...params.<field>`);
    `drill_default` is what a drill does when the plan does not say (a drill never moves
    production DNS or stops a production API unless the plan says `run`); `undoable`
    says whether a drill's cleanup can put back what the action changed.
    """

    name: str
    params: type[Model]
    drill_default: InDrill
    undoable: bool
    summary: str
    # False for types that call no AWS service (wait, approval, http_check): no account needed.
    uses_account: bool = True
