"""The step types the engine carries out itself (no executor): `wait` and `approval`.

A wait ends when its time has passed; an approval ends when an operator command decides
it (approval.py). Both are decided purely from the engine's clock and the commands.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from drorch.domain.executions import StepRun
from drorch.engine import rules as r
from drorch.engine.rules import Changes

INTERNAL_TYPES = frozenset({"wait", "approval"})


def is_internal(step: StepRun) -> bool:
    """True for a type the engine runs without an executor."""
    return step.type in INTERNAL_TYPES


def begin_internal(step: StepRun, wave: str, changes: Changes) -> None:
    """Start a wait or an approval (a drill's `simulate` passes it at once)."""
    if step.in_drill == "simulate":  # resolved at start: only a drill's step says simulate
        r.move_step(step, r.STEP_SIMULATED, changes, wave, "simulated in a drill: not waited for")
        return
    r.move_step(step, r.STEP_START, changes, wave)
    step.deadline = changes.now + timedelta(minutes=step.timeout_minutes)
    if step.type == "wait":
        until = changes.now + timedelta(minutes=float(step.params.get("minutes", 0)))
        step.output = {"until": until.isoformat()}
        step.not_before = until
    else:
        prompt = step.params.get("prompt", "")
        step.output = {"awaiting": "approval", "prompt": prompt}
        changes.note(
            "approval.requested",
            f"step {step.name} awaits approval: {prompt}",
            wave=wave,
            step=step.name,
            status="AWAITING_APPROVAL",
        )


def wait_over(step: StepRun, now: datetime) -> bool:
    """True once a running wait's time has passed."""
    return step.type == "wait" and step.not_before is not None and now >= step.not_before
