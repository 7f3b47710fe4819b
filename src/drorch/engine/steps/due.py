"""What is due for action steps (pure): the executor calls to make now, and when to look again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from drorch.domain.executions import Execution, StepRun
from drorch.engine.steps.internal import is_internal
from drorch.engine.steps.undo import next_undo, undo_look

WorkKind = Literal["start", "reconcile", "poll", "undo", "undo_poll"]
ACTIVE = frozenset({"RUNNING", "PAUSED", "CANCELLING"})


@dataclass(frozen=True)
class StepWork:
    """One executor call due now, for the step at (wave, index)."""

    kind: WorkKind
    wave: int
    index: int


def due_work(ex: Execution, now: datetime) -> list[StepWork]:
    """The executor calls due now: forward calls of running steps, then the next undo."""
    work = []
    if ex.status in ACTIVE:
        for w, wave in enumerate(ex.waves):
            for i, step in enumerate(wave.steps):
                kind = _forward(step, now)
                if kind is not None:
                    work.append(StepWork(kind, w, i))
    undo = next_undo(ex, now)
    if undo is not None:
        work.append(StepWork(undo[0], undo[1], undo[2]))  # type: ignore[arg-type]
    return work


def _forward(step: StepRun, now: datetime) -> WorkKind | None:
    if step.status != "RUNNING" or is_internal(step):
        return None
    if step.not_before is not None and step.not_before > now:
        return None
    if step.called_at is not None:
        return "poll"
    # An intent without an answer: a crash or a lost reply. Ask the service first.
    return "reconcile" if step.intent_at is not None else "start"


def step_looks(ex: Execution, now: datetime) -> list[datetime]:
    """When running steps need the engine: polls, waits, timeouts, the next undo."""
    looks = []
    for step in ex.steps():
        if step.status != "RUNNING":
            continue
        if step.deadline is not None:
            looks.append(step.deadline)
        if step.not_before is not None:
            looks.append(step.not_before)
        elif not is_internal(step):
            looks.append(now)
    undo = undo_look(ex, now)
    if undo is not None:
        looks.append(undo)
    return looks
