"""Operator actions on an execution: pause, resume, cancel, terminate its instances.

Each is validated against the current status (409 when not allowed) and the caller's
permissions (a RECOVERY needs the recovery ones), queued in the store for the engine, applied
at once when no worker is advancing the execution, and the runner is woken. The returned
execution is the stored state after that.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from drorch.domain.executions import Command, Execution, OperatorAction
from drorch.domain.identity import Permission
from drorch.engine.advance import fold_commands_now
from drorch.engine.config import DEFAULT_CONFIG, EngineConfig
from drorch.engine.rules import CANCEL, CLEANUP_START, PAUSE, RESUME
from drorch.errors import ConflictError
from drorch.ports.clock import WALL_CLOCK, Clock
from drorch.ports.store import Store
from drorch.ports.waker import NoWaker, Waker
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.auth import demand
from drorch.services.executions import get_execution, require_execution

PAST = {"pause": "paused", "resume": "resumed", "cancel": "cancelled"}


def pause(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
    config: EngineConfig | None = None,
) -> Execution:
    """Stop starting new waves (running waves go on); 409 unless PENDING or RUNNING."""
    return _operate(store, execution_id, "pause", audit, _Via(clock, waker, config))


def resume(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
    config: EngineConfig | None = None,
) -> Execution:
    """Go on after a pause or a `pause_before` hold; 409 unless PAUSED."""
    return _operate(store, execution_id, "resume", audit, _Via(clock, waker, config))


def cancel(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    terminate_instances: bool = False,
    clock: Clock | None = None,
    waker: Waker | None = None,
    config: EngineConfig | None = None,
) -> Execution:
    """Start no new jobs, let running ones finish, end CANCELLED; 409 when already ended.

    `terminate_instances` (drills only, else 409) terminates what the drill launched once
    its jobs have finished.
    """
    via = _Via(clock, waker, config)
    return _operate(store, execution_id, "cancel", audit, via, terminate_instances)


def terminate_instances(
    *,
    store: Store,
    execution_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
    clock: Clock | None = None,
    waker: Waker | None = None,
    config: EngineConfig | None = None,
) -> Execution:
    """Clean up a finished drill: terminate its recovery instances, track the TERMINATE job.

    409 for a recovery, a drill still running, or a cleanup already done or in progress.
    """
    via = _Via(clock, waker, config)
    return _operate(store, execution_id, "terminate_instances", audit, via)


# How long an operator action waits for a worker's pass to end before leaving it queued.
FOLD_TRIES = 40
FOLD_PAUSE_SECONDS = 0.05


@dataclass(frozen=True)
class _Via:
    """The clock, waker and engine config an action runs with (bootstrap's, when given)."""

    clock: Clock | None
    waker: Waker | None
    config: EngineConfig | None


def _operate(
    store: Store,
    execution_id: str,
    action: OperatorAction,
    audit: AuditContext,
    via: _Via,
    terminate: bool = False,
) -> Execution:
    clock = via.clock or WALL_CLOCK
    now = clock.now()
    with store.transaction() as uow:
        current = require_execution(uow, execution_id)
        _check_recovery_permission(current, action, audit)
        _check_allowed(current, action, terminate)
        command = Command(
            action=action,
            actor=audit.actor,
            at=now,
            terminate_instances=terminate,
            comment=audit.comment,
        )
        uow.executions.add_command(execution_id, command)
        uow.executions.schedule(execution_id, now)
        detail = {"terminate_instances": terminate} if action == "cancel" else {}
        record(uow, f"execution.{action}", "execution", execution_id, audit=audit, detail=detail)
    return fold_and_wake(store, execution_id, via)


def fold_and_wake(store: Store, execution_id: str, via: _Via) -> Execution:
    """Apply the queued commands now if no worker is mid-pass, wake the runner, read back."""
    clock = via.clock or WALL_CLOCK
    owner = f"api:{secrets.token_hex(4)}"
    config = via.config or DEFAULT_CONFIG
    for _ in range(FOLD_TRIES):
        if fold_commands_now(
            store=store, clock=clock, execution_id=execution_id, owner=owner, config=config
        ):
            break
        # A worker is mid-pass: wait a moment for it, so the answer shows the action applied
        # (otherwise the worker folds the command into its next pass).
        clock.sleep(FOLD_PAUSE_SECONDS)
    (via.waker or NoWaker()).wake(execution_id)
    return get_execution(store=store, execution_id=execution_id)


def _check_recovery_permission(ex: Execution, action: OperatorAction, audit: AuditContext) -> None:
    """A RECOVERY is steered with the recovery permissions, not the drill ones (403)."""
    if ex.is_drill or audit.principal is None:
        return
    needed = (
        Permission.RECOVERIES_TERMINATE
        if action == "terminate_instances"
        else Permission.RECOVERIES_OPERATE
    )
    demand(audit.principal, needed)


def _check_allowed(ex: Execution, action: OperatorAction, terminate: bool) -> None:
    if action == "terminate_instances":
        ok = ex.is_drill and ex.terminal and CLEANUP_START.allows(ex.cleanup_status)
        why = "only a finished drill whose cleanup has not run (or left instances) can be"
    elif action == "cancel" and terminate and not ex.is_drill:
        ok, why = False, "terminating instances on cancel applies to drills only; nothing was"
    else:
        rule = {"pause": PAUSE, "resume": RESUME, "cancel": CANCEL}[action]
        ok, why = rule.allows(ex.status), f"only {sorted(rule.sources)} executions can be"
    if not ok:
        verb = PAST.get(action, "cleaned up")
        raise ConflictError(
            f"execution {ex.id} is {ex.status} (cleanup {ex.cleanup_status}): {why} {verb}",
            conflicts=[{"field": "status", "value": ex.status, "action": action}],
        )


Via = _Via  # for the other operator actions (services/approvals.py)
