"""Steps inside a running wave (pure): before-steps, then servers, then after-steps.

* The steps of a phase run one after another, in plan order.
* The wave's servers are released (may be launched) once every before-step is terminal and
  none failed the wave.
* After-steps start once every server is terminal and its instance read; when a required
  server failed they are SKIPPED (the wave fails anyway, and what follows servers, like a
  DNS switch, must not run without them).
* A step that fails with `on_failure=fail_wave` fails the wave: its PENDING steps and
  servers are skipped, and the wave ends FAILED once nothing of it is still running
  (dependants are then skipped, as after any failed wave). With `continue` the wave goes
  on; the execution can then end PARTIAL at best.
* A drill's step whose `in_drill` is `skip` is SKIPPED when its turn comes.
* A RUNNING step past its deadline fails (`Timeout`); an approval's timeout is a decline.
"""

from __future__ import annotations

from datetime import timedelta

from drorch.domain.executions import Execution, StepRun, WaveRun
from drorch.engine import rules as r
from drorch.engine.rules import Changes
from drorch.engine.steps.internal import begin_internal, is_internal, wait_over
from drorch.engine.working import writable_at


def fails_wave(wave: WaveRun) -> bool:
    """True when a step with `on_failure=fail_wave` failed."""
    return any(s.status == "FAILED" and s.on_failure == "fail_wave" for s in wave.steps)


def before_done(wave: WaveRun) -> bool:
    """True once every before-step of the wave is terminal."""
    return all(s.terminal for s in wave.steps if s.phase == "before")


def servers_released(wave: WaveRun) -> bool:
    """True when the wave's servers may be launched: before-steps done, none failed the wave."""
    if not wave.steps:
        return True
    return before_done(wave) and not fails_wave(wave)


def servers_failed(wave: WaveRun) -> bool:
    """True when a required server of the wave failed (the wave will fail)."""
    return any(s.status == "FAILED" and not s.optional for s in wave.servers)


def steps_done(wave: WaveRun) -> bool:
    """True once every step of the wave is terminal."""
    return all(s.terminal for s in wave.steps)


def current_step(wave: WaveRun, servers_done: bool) -> StepRun | None:
    """The step whose turn it is, or None (all done, or waiting for the servers)."""
    for step in wave.steps:
        if step.phase == "before" and not step.terminal:
            return step
    if not servers_done:
        return None
    return next((s for s in wave.steps if s.phase == "after" and not s.terminal), None)


def settle_steps(ex: Execution, wave: WaveRun, changes: Changes, *, servers_done: bool) -> bool:
    """Move the wave's steps forward as far as they go now; True when anything moved."""
    moved = False
    for _ in range(len(wave.steps) + 1):
        if fails_wave(wave):
            return _skip_after_failure(ex, wave, changes) or moved
        if servers_done and servers_failed(wave):
            # The wave fails for its servers: what was to follow them must not run.
            return skip_steps(wave, changes, "required servers of the wave failed") or moved
        step = current_step(wave, servers_done)
        if step is None or not _turn(ex, wave, step, changes):
            return moved
        moved = True
    return moved


def _turn(ex: Execution, wave: WaveRun, step: StepRun, changes: Changes) -> bool:
    """Take the current step one move on; False when it waits (for time, a call, a person)."""
    if step.status == "PENDING":
        if ex.status not in ("RUNNING", "PAUSED"):
            return False
        if step.in_drill == "skip":
            r.move_step(step, r.STEP_SKIP, changes, wave.name, "a drill skips this action")
        elif is_internal(step):
            begin_internal(step, wave.name, changes)
        else:
            r.move_step(step, r.STEP_START, changes, wave.name)
            step.deadline = changes.now + timedelta(minutes=step.timeout_minutes)
        return True
    if wait_over(step, changes.now):
        r.move_step(step, r.STEP_SUCCEED, changes, wave.name, "the time has passed")
        return True
    if step.deadline is not None and changes.now >= step.deadline:
        timeout(step, wave.name, changes)
        return True
    return False


def timeout(step: StepRun, wave: str, changes: Changes) -> None:
    """Fail a running step whose deadline passed (an approval's timeout is a decline)."""
    step.error_code = "Timeout"
    if step.type == "approval":
        step.error = f"no decision within {step.timeout_minutes:g} min: declined"
    else:
        step.error = f"not finished within {step.timeout_minutes:g} min"
    r.move_step(step, r.STEP_TIMEOUT, changes, wave, step.error)


def _skip_after_failure(ex: Execution, wave: WaveRun, changes: Changes) -> bool:
    moved = False
    for step in wave.steps:
        if step.status == "PENDING":
            r.move_step(step, r.STEP_SKIP, changes, wave.name, "an earlier step failed the wave")
            moved = True
    index = next(i for i, w in enumerate(ex.waves) if w is wave)
    for position, server in enumerate(wave.servers):
        if server.status == "PENDING":
            r.move_server(writable_at(ex, index, position), r.SERVER_SKIP, changes.now)
            moved = True
    return moved


def skip_steps(wave: WaveRun, changes: Changes, why: str) -> bool:
    """Skip every PENDING step of a wave that will not run them; True when any was."""
    pending = [step for step in wave.steps if r.STEP_SKIP.allows(step.status)]
    for step in pending:
        r.move_step(step, r.STEP_SKIP, changes, wave.name, why)
    return bool(pending)


def cancel_steps(wave: WaveRun, changes: Changes) -> None:
    """Cancel a cancelled execution's PENDING steps, and its running waits and approvals.

    A step running in an outside service goes on being polled until it ends: the execution
    stays CANCELLING until then, like a launch job it started.
    """
    for step in wave.steps:
        if step.status == "PENDING" or (step.status == "RUNNING" and is_internal(step)):
            r.move_step(step, r.STEP_CANCEL, changes, wave.name, "execution cancelled")


def outside_running(ex: Execution) -> bool:
    """True while a step runs in an outside service (the execution waits for it to end)."""
    return any(s.status == "RUNNING" and not is_internal(s) for s in ex.steps())
