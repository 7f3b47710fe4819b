"""A drill cleanup's undo of action steps (pure): which step to undo next, and what is left.

Every step that recorded a change (`changed`) is undone by its executor, one at a time, in
the reverse order the steps started; a failed undo does not stop the others. The undos
run beside the TERMINATE jobs of the same round; the round ends when both are done. A new
round (terminate-instances again) tries the failed undos again and leaves the done ones.
"""

from __future__ import annotations

from datetime import datetime

from drorch.domain.executions import Execution, StepRun


def undo_order(ex: Execution) -> list[tuple[int, int]]:
    """(wave index, step index) of every step to undo, the last started first."""
    found = [
        (w, i)
        for w, wave in enumerate(ex.waves)
        for i, step in enumerate(wave.steps)
        if step.changed and step.status != "SIMULATED"
    ]

    def key(place: tuple[int, int]) -> tuple[float, int]:
        started = ex.waves[place[0]].steps[place[1]].started_at
        return (started.timestamp() if started else 0.0, found.index(place))

    return sorted(found, key=key, reverse=True)


def in_round(ex: Execution, step: StepRun) -> bool:
    """True when the step's undo belongs to the cleanup round in progress."""
    since = ex.cleanup_started_at
    return step.undo is not None and since is not None and step.undo.started_at >= since


def needs_undo(ex: Execution, step: StepRun) -> bool:
    """True when this round still has to (re)start the step's undo."""
    if step.undo is None:
        return True
    return not in_round(ex, step) and step.undo.status == "FAILED"


def next_undo(ex: Execution, now: datetime) -> tuple[str, int, int] | None:
    """("undo" | "undo_poll", wave index, step index) due now, or None."""
    if ex.cleanup_status != "IN_PROGRESS":
        return None
    for w, i in undo_order(ex):
        step = ex.waves[w].steps[i]
        if needs_undo(ex, step):
            return ("undo", w, i)
        undo = step.undo
        if undo is None or undo.status != "RUNNING":
            continue
        if undo.not_before is not None and undo.not_before > now:
            return None  # undos run one at a time: wait for this one
        return ("undo_poll" if undo.called else "undo", w, i)
    return None


def undo_look(ex: Execution, now: datetime) -> datetime | None:
    """When the next undo step is due (None: none)."""
    if ex.cleanup_status != "IN_PROGRESS":
        return None
    for w, i in undo_order(ex):
        step = ex.waves[w].steps[i]
        if needs_undo(ex, step):
            return now
        undo = step.undo
        if undo is not None and undo.status == "RUNNING":
            return max(undo.not_before or now, now)
    return None


def undo_pending(ex: Execution) -> bool:
    """True while a step of the round still has to be undone, or its undo runs."""
    for w, i in undo_order(ex):
        step = ex.waves[w].steps[i]
        if needs_undo(ex, step) or (step.undo is not None and step.undo.status == "RUNNING"):
            return True
    return False


def undo_leftovers(ex: Execution) -> list[str]:
    """What failed undos left behind: `step <name> (<type>): <resource or error>`."""
    left = []
    for w, i in undo_order(ex):
        step = ex.waves[w].steps[i]
        if step.undo is not None and step.undo.status == "FAILED":
            resource = step.changed.get("resource") or step.undo.error or "not undone"
            left.append(f"step {step.name} ({step.type}): {resource}")
    return left
