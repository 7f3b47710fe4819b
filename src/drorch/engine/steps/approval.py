"""Approve or decline an approval step (pure): folds an operator's decision command."""

from __future__ import annotations

from drorch.domain.executions import Command, Execution, StepRun
from drorch.engine import rules as r
from drorch.engine.rules import Changes


def find_step(ex: Execution, name: str) -> tuple[str, StepRun] | None:
    """(wave name, step) of the step called `name`, or None."""
    for wave in ex.waves:
        for step in wave.steps:
            if step.name == name:
                return wave.name, step
    return None


def awaiting(step: StepRun) -> bool:
    """True for an approval that waits for a decision."""
    return step.type == "approval" and step.status == "RUNNING"


def decide(ex: Execution, command: Command, changes: Changes) -> bool:
    """Apply an approve/decline command; False when it no longer applies (nothing changes)."""
    found = find_step(ex, command.step or "")
    if found is None or not awaiting(found[1]):
        return False
    wave, step = found
    step.decided_by, step.comment = command.actor, command.comment
    step.output = {**step.output, "decision": command.action, "decided_by": command.actor}
    if command.action == "approve":
        r.move_step(step, r.STEP_APPROVE, changes, wave, f"approved by {command.actor}")
    else:
        step.error_code, step.error = "Declined", f"declined by {command.actor}"
        r.move_step(step, r.STEP_DECLINE, changes, wave, step.error)
    return True
