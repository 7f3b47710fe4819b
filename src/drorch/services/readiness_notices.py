"""Readiness changes become notifications: `readiness failed` and `readiness recovered`."""

from __future__ import annotations

from collections.abc import Callable

from drorch.domain.notifications import EventKind, Subject
from drorch.domain.readiness import ReadinessRun, Transition
from drorch.ports.store import Store
from drorch.services.notifications import raise_event

KINDS = {
    Transition.FAILED: EventKind.READINESS_FAILED,
    Transition.RECOVERED: EventKind.READINESS_RECOVERED,
}


def readiness_notifier(store: Store) -> Callable[[Transition, ReadinessRun], None]:
    """A readiness listener that queues one notification per change, once per run."""

    def announce(change: Transition, run: ReadinessRun) -> None:
        subject = Subject(type="plan", id=run.plan_id, plan_id=run.plan_id, plan_name=run.plan_name)
        failing = [f"{f.check}: {f.message}" for f in run.errors]
        with store.transaction() as uow:
            raise_event(
                uow,
                kind=KINDS[change],
                subject=subject,
                payload={"run_id": run.id, "trigger": run.trigger.value, "failing": failing},
                at=run.finished_at,
                dedupe_key=f"readiness:{run.id}",
            )

    return announce
