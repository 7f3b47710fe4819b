"""Drill cleanup (pure): which recovery instances still need a TERMINATE job, and the end.

A cleanup round starts with `terminate-instances` (or a cancel that asked for it), or by
itself once an ended drill's hold (`cleanup_after_minutes`, from its start or its plan) has
run out; a held drill (`keep`) waits for an operator. Every
server with a recovery instance is put in one TERMINATE job of the round; when every job
of the round has completed, instances still reported by DescribeRecoveryInstances are
left behind: the cleanup ends INCOMPLETE and lists them (a new round may be started),
otherwise COMPLETED. The round also undoes what the drill's action steps changed, last
started first (engine/steps/undo.py): it ends only when those undos are done too, and a
failed undo is left behind like an instance (`step <name> (<type>): <resource>`).
"""

from __future__ import annotations

from drorch.domain.executions import Execution, ServerRun
from drorch.engine import rules as r
from drorch.engine.rules import Changes
from drorch.engine.steps.undo import undo_leftovers, undo_pending


def cleanup_candidates(ex: Execution) -> list[ServerRun]:
    """Servers with a recovery instance not yet put in a TERMINATE job of this round."""
    tried = set(_tried(ex))
    return [
        s
        for s in ex.servers()
        if s.recovery_instance_id
        and s.status in ("LAUNCHED", "FAILED")
        and s.source_server_id not in tried
    ]


def _tried(ex: Execution) -> list[str]:
    since = ex.cleanup_started_at
    return [
        s
        for b in ex.batches
        if b.kind == "TERMINATE" and since and b.created_at >= since and b.state != "LOST"
        for s in b.source_server_ids
    ]


def start_due_cleanup(ex: Execution, changes: Changes) -> None:
    """Start an ended drill's automatic cleanup once its hold has run out."""
    due = ex.cleanup_due_at
    if due is None or changes.now < due:
        return
    ex.cleanup_started_at = changes.now
    hold = ex.cleanup_after_minutes
    why = f"automatic, {hold:g} min after the drill ended" if hold else "automatic, at the end"
    r.move_cleanup(ex, r.CLEANUP_START, changes, why)


def settle_cleanup(ex: Execution, changes: Changes) -> None:
    """End the cleanup round once all its TERMINATE jobs are done and nothing is left to try."""
    start_due_cleanup(ex, changes)
    if ex.cleanup_status != "IN_PROGRESS" or ex.open_batches() or cleanup_candidates(ex):
        return
    if undo_pending(ex):
        return
    index = {s.source_server_id: s for s in ex.servers()}
    left = sorted(
        index[s].recovery_instance_id or s
        for s in set(_tried(ex))
        if index[s].status != "TERMINATED"
    )
    left += undo_leftovers(ex)
    ex.leftovers = left
    if left:
        r.move_cleanup(
            ex, r.CLEANUP_LEFTOVERS, changes, f"{len(left)} resource(s) left: {left[:20]}"
        )
    else:
        r.move_cleanup(ex, r.CLEANUP_DONE, changes, "every recovery instance was terminated")
