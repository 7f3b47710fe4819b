"""Settle (pure): move waves and the execution forward once the servers' states are known.

Wave DAG semantics
------------------
* A wave is *ready* when every wave in its `depends_on` is COMPLETED.
* A ready wave starts (RUNNING) while the execution is RUNNING; with `pause_before` it is
  HELD instead and the execution becomes PAUSED until an operator resumes (which releases
  every held wave). While PAUSED no wave starts; waves already running go on, including
  the jobs they still have to start.
* A RUNNING wave ends when all its servers are terminal and every launched server's EC2
  instance has been read (or its job closed without one): FAILED if a non-optional server
  failed, COMPLETED otherwise (failed optional servers are reported but do not fail it).
* A wave whose dependency FAILED, was SKIPPED or CANCELLED is SKIPPED (its servers too);
  waves on independent branches go on.

End state (when every wave is terminal)
---------------------------------------
* COMPLETED: every wave COMPLETED and every server LAUNCHED.
* PARTIAL: at least one wave COMPLETED, but a wave FAILED or was SKIPPED, or an optional
  server failed.
* FAILED: no wave COMPLETED.
* CANCELLED: an operator cancelled; the execution is CANCELLING until every job it
  started has finished, then CANCELLED.
"""

from __future__ import annotations

from drorch.domain.executions import Execution, WaveRun
from drorch.domain.statuses import TERMINAL_SERVERS, TERMINAL_WAVES, ExecutionStatus, ServerStatus
from drorch.engine import rules as r
from drorch.engine.cleanup import settle_cleanup
from drorch.engine.rules import Changes
from drorch.engine.steps import phases
from drorch.engine.working import has_status, writable_at

BLOCKING = frozenset({"FAILED", "SKIPPED", "CANCELLED"})
NOT_TERMINAL = frozenset(ServerStatus) - TERMINAL_SERVERS


def settle(ex: Execution, changes: Changes) -> None:
    """Apply every wave and execution rule that is due, until nothing changes."""
    if ex.status == "PENDING":
        r.move_execution(ex, r.BEGIN, changes)
    if ex.status == "CANCELLING":
        _cancel_pending(ex, changes)
    for _ in range(len(ex.waves) + 1):
        if not any(_step_wave(ex, wave, changes) for wave in ex.waves):
            break
    _finish(ex, changes)
    settle_cleanup(ex, changes)


def _step_wave(ex: Execution, wave: WaveRun, changes: Changes) -> bool:
    if wave.status == "RUNNING":
        return _end_running(ex, wave, changes)
    if wave.status not in ("PENDING", "HELD"):
        return False
    deps = [ex.wave(name).status for name in wave.depends_on]
    if any(status in BLOCKING for status in deps):
        _skip(ex, wave, changes)
        return True
    if not all(status == "COMPLETED" for status in deps) or ex.status != "RUNNING":
        return False
    if wave.pause_before and not wave.released:
        if wave.status == "PENDING":
            r.move_wave(wave, r.WAVE_HOLD, changes, "pause_before: waiting for resume")
        ex.paused_reason = f"wave {wave.name} waits for an operator to resume"
        r.move_execution(ex, r.HOLD, changes, ex.paused_reason)
        return True
    r.move_wave(wave, r.WAVE_START, changes)
    return True


def _end_running(ex: Execution, wave: WaveRun, changes: Changes) -> bool:
    moved = False
    if wave.steps:  # before-steps, servers, after-steps (engine/steps/phases.py)
        moved = phases.settle_steps(ex, wave, changes, servers_done=_servers_done(ex, wave))
        if not phases.steps_done(wave):
            return moved
    if not _servers_done(ex, wave):
        return moved
    if any(s.status == "CANCELLED" for s in wave.servers) or _any_step(wave, "CANCELLED"):
        r.move_wave(wave, r.WAVE_CANCEL, changes)
    elif any(s.status == "FAILED" and not s.optional for s in wave.servers):
        failed = [s.source_server_id for s in wave.servers if s.status == "FAILED"]
        r.move_wave(wave, r.WAVE_FAIL, changes, f"required servers failed: {failed[:10]}")
    elif phases.fails_wave(wave):
        failed = [
            s.name for s in wave.steps if s.status == "FAILED" and s.on_failure == "fail_wave"
        ]
        r.move_wave(wave, r.WAVE_FAIL, changes, f"actions failed: {failed}")
    else:
        r.move_wave(wave, r.WAVE_COMPLETE, changes)
    return True


def _servers_done(ex: Execution, wave: WaveRun) -> bool:
    terminal = not has_status(wave.servers, NOT_TERMINAL)  # the tally: no server walk
    return terminal and not _instances_unread(ex, wave)


def _any_step(wave: WaveRun, status: str) -> bool:
    return any(s.status == status for s in wave.steps)


def _instances_unread(ex: Execution, wave: WaveRun) -> bool:
    """True while a launched server's EC2 instance is unknown and its batch is still open."""
    open_ids = {b.batch_id for b in ex.open_batches() if b.kind == "LAUNCH"}
    return any(
        s.status == "LAUNCHED" and not s.ec2_instance_id and s.batch_id in open_ids
        for s in wave.servers
    )


def _skip(ex: Execution, wave: WaveRun, changes: Changes) -> None:
    index = next(i for i, w in enumerate(ex.waves) if w is wave)
    for position, server in enumerate(wave.servers):
        if r.SERVER_SKIP.allows(server.status):
            r.move_server(writable_at(ex, index, position), r.SERVER_SKIP, changes.now)
    phases.skip_steps(wave, changes, "its wave was skipped")
    r.move_wave(wave, r.WAVE_SKIP, changes, "a wave it depends on did not complete")


def _cancel_pending(ex: Execution, changes: Changes) -> None:
    for index, wave in enumerate(ex.waves):
        for position, server in enumerate(wave.servers):
            if r.SERVER_CANCEL.allows(server.status):
                r.move_server(writable_at(ex, index, position), r.SERVER_CANCEL, changes.now)
        phases.cancel_steps(wave, changes)
        if wave.status in ("PENDING", "HELD"):
            r.move_wave(wave, r.WAVE_CANCEL, changes, "execution cancelled")


def _finish(ex: Execution, changes: Changes) -> None:
    if ex.status == "CANCELLING":
        # Launch jobs and steps running in outside services it started are seen to the end.
        if not any(b.kind == "LAUNCH" for b in ex.open_batches()) and not phases.outside_running(
            ex
        ):
            r.move_execution(ex, r.CANCELLED, changes, "every started job has finished")
            _cleanup_after_cancel(ex, changes)
        return
    if ex.status not in ("RUNNING", "PAUSED"):
        return
    if not all(w.status in TERMINAL_WAVES for w in ex.waves):
        return
    ex.paused_reason = None
    r.move_execution(ex, end_rule(ex), changes)


def end_rule(ex: Execution) -> r.Rule[ExecutionStatus]:
    """COMPLETE, PARTIAL or FAIL for an execution whose waves have all ended."""
    completed = [w for w in ex.waves if w.status == "COMPLETED"]
    if not completed:
        return r.FAIL
    everything = len(completed) == len(ex.waves)
    steps_ok = not any(s.status == "FAILED" for s in ex.steps())  # `continue` failures
    if everything and steps_ok and all(s.status == "LAUNCHED" for s in ex.servers()):
        return r.COMPLETE
    return r.PARTIAL


def _cleanup_after_cancel(ex: Execution, changes: Changes) -> None:
    if ex.is_drill and ex.terminate_on_cancel and r.CLEANUP_START.allows(ex.cleanup_status):
        ex.cleanup_started_at = changes.now
        r.move_cleanup(ex, r.CLEANUP_START, changes, "cancel asked to terminate instances")
