"""The demo's schedules: a weekly drill and a readiness run every 30 minutes of a plan."""

from __future__ import annotations

from drorch.domain.plans import RecoveryPlan
from drorch.domain.schedules import ScheduleDraft, ScheduleKind
from drorch.errors import ConflictError
from drorch.ports.clock import Clock
from drorch.ports.store import Store
from drorch.services import schedules
from drorch.services.audit import AuditContext

# The sample plans recover into us-east-1: Saturday morning there.
DRILL_ZONE = "America/New_York"


def sample_drafts(plan: RecoveryPlan) -> list[ScheduleDraft]:
    """What the demo schedules for its plan."""
    return [
        ScheduleDraft(
            name=f"{plan.name}-weekly-drill",
            kind=ScheduleKind.DRILL,
            plan_id=plan.id,
            cron="0 6 * * 6",
            timezone=DRILL_ZONE,
        ),
        ScheduleDraft(
            name=f"{plan.name}-readiness",
            kind=ScheduleKind.READINESS,
            plan_id=plan.id,
            cron="*/30 * * * *",
        ),
    ]


def ensure_sample_schedules(
    *, store: Store, plan: RecoveryPlan, audit: AuditContext, clock: Clock | None = None
) -> list[str]:
    """Create the sample schedules that do not exist yet; the names created."""
    made = []
    for draft in sample_drafts(plan):
        try:
            schedules.create_schedule(store=store, draft=draft, audit=audit, clock=clock)
        except ConflictError:  # made by an earlier demo: keep it as the operator left it
            continue
        made.append(draft.name)
    return made
