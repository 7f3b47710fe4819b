"""The `execution stuck` notification: raised once per execution per stuck episode.

An episode opens when the doctor's judgement (over the RTO times the factor, or no
progress for the stall bound) first holds for an active execution, and closes once it no
longer does (progress resumed, or the execution ended). Only an opening notifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drorch.domain.executions import Execution
from drorch.domain.notifications import EventKind
from drorch.ports.store import Store, UnitOfWork
from drorch.services.doctor_checks import Thresholds, stuck_reason
from drorch.services.notifications import execution_subject, raise_event

EPISODE = "stuck:"


@dataclass(frozen=True)
class StuckPass:
    """What one pass changed: executions newly stuck, and episodes that ended."""

    opened: list[str]
    closed: list[str]


def raise_stuck(*, store: Store, now: datetime, limits: Thresholds) -> StuckPass:
    """Notify about executions newly stuck and close the episodes of those that recovered."""
    with store.read() as uow:
        stuck = _stuck_now(uow, now, limits)
        known = set(uow.notifications.open_episodes(EPISODE))
    to_open = {EPISODE + ex_id for ex_id in stuck} - known
    to_close = known - {EPISODE + ex_id for ex_id in stuck}
    if not to_open and not to_close:
        return StuckPass([], [])  # the usual case: no write transaction
    opened: list[str] = []
    with store.transaction() as uow:
        for key in sorted(to_close):
            uow.notifications.close_episode(key)
        for key in sorted(to_open):
            # Another worker may have opened it since the read: only one of us notifies.
            if uow.notifications.open_episode(key, now):
                ex, reason = stuck[key.removeprefix(EPISODE)]
                _notify(uow, ex, reason, now)
                opened.append(ex.id)
    return StuckPass(opened, sorted(k.removeprefix(EPISODE) for k in to_close))


def stuck_count(store: Store) -> int:
    """How many executions are stuck, as the last pass of `raise_stuck` found them."""
    with store.read() as uow:
        return len(uow.notifications.open_episodes(EPISODE))


def _stuck_now(
    uow: UnitOfWork, now: datetime, limits: Thresholds
) -> dict[str, tuple[Execution, str]]:
    found = {}
    for summary in uow.executions.active_summaries():
        ex = uow.executions.get(summary.id)
        if ex is None:
            continue
        reason = stuck_reason(ex, uow.executions.last_event(ex.id), now, limits)
        if reason is not None:
            found[ex.id] = (ex, reason)
    return found


def _notify(uow: UnitOfWork, ex: Execution, reason: str, now: datetime) -> None:
    payload = {
        "execution_id": ex.id,
        "execution_type": ex.type,
        "plan_id": ex.plan_id,
        "plan_name": ex.plan_name,
        "status": ex.status,
        "reason": reason,
        "message": f"drorch doctor: {ex.id} {reason}",
    }
    raise_event(
        uow,
        kind=EventKind.EXECUTION_STUCK,
        subject=execution_subject(ex),
        payload=payload,
        at=now,
        dedupe_key=f"stuck:{ex.id}:{now.isoformat()}",
    )
