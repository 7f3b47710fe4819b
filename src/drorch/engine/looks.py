"""Per-job looks (pure): which open jobs a pass reads, and when each is read next.

A pass used to read every open job of the execution whenever any one of them was due:
at 5,000 servers about 20 jobs of 100 servers, parsed and folded on every pass, although
most of them had their own next look seconds away. Now each open job keeps its own next
look (`polling.job_gap` decides it when the job is read), and a pass reads only the jobs
that are due, plus those due soon enough that a separate pass for them would cost more
than reading them a little early (`look_ahead_fraction` of their gap, at most
`look_ahead_cap` seconds).

The plan is the worker's memory, never stored: a worker without one (new process, another
worker advanced the execution, a crash) reads every open job, which is what every pass did
before. A pass woken before its own due time (an operator action, a DRS event, capacity
freed by another execution) reads every open job too, so a wake-up is never answered with
a look at nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drorch.domain.executions import Execution, scope_key
from drorch.engine.config import EngineConfig

# A pass that starts this much before its planned time was woken, not scheduled (clocks
# round stored due times; a scheduled pass is never early by more than that).
EARLY = timedelta(milliseconds=50)


@dataclass(frozen=True)
class Look:
    """When a job is looked at next, when that was decided, and what the job showed then."""

    at: datetime
    planned: datetime
    state: tuple[object, ...] = ()  # what polling's gap depends on (job status, servers left)

    @property
    def gap(self) -> float:
        """Seconds between deciding and looking."""
        return max((self.at - self.planned).total_seconds(), 0.0)


@dataclass(frozen=True)
class LookPlan:
    """A worker's plan for one execution: its next due time and each open job's next look."""

    due_at: datetime | None
    jobs: Mapping[str, Look] = field(default_factory=dict)


def jobs_due(
    ex: Execution, plan: LookPlan | None, now: datetime, config: EngineConfig, *, woken: bool
) -> frozenset[str] | None:
    """Batch ids of the open jobs to read now; None means every open job."""
    if plan is None or woken or woken_early(plan, now):
        return None
    return frozenset(
        b.batch_id for b in ex.open_batches() if _due(plan.jobs.get(b.batch_id), now, config)
    )


def woken_early(plan: LookPlan, now: datetime) -> bool:
    """True when this pass runs before the time the plan set for it."""
    return plan.due_at is not None and now + EARLY < plan.due_at


def _due(look: Look | None, now: datetime, config: EngineConfig) -> bool:
    if look is None:
        return True  # a job the plan does not know (started since): read it
    ahead = min(look.gap * config.look_ahead_fraction, config.look_ahead_cap)
    return look.at <= now + timedelta(seconds=ahead)


def unchanged_gap(
    policy: float, previous: Look | None, state: tuple[object, ...], config: EngineConfig
) -> float:
    """The gap after a read: the policy's, grown while reads show the job unchanged.

    A job that showed the same state at its last look (no server finished, status the
    same) is looked at `unchanged_growth` times later than last time, up to
    `unchanged_cap` seconds, never sooner than the policy says: its end is then seen at
    most that fraction (and that cap) late, while a job waiting on one slow server is not
    read every half second.
    """
    if previous is None or previous.state != state or not state:
        return policy
    grown = min(previous.gap * config.unchanged_growth, config.unchanged_cap)
    return max(policy, grown)


def read_jobs(ex: Execution, seen: Mapping[str, frozenset[str]]) -> set[str]:
    """Batch ids of open jobs this pass read (`seen`: scope key -> job ids DRS returned)."""
    return {
        b.batch_id
        for b in ex.open_batches()
        if b.job_id and b.job_id in seen.get(scope_key(b.account_id, b.region), ())
    }


def kept_looks(plan: LookPlan | None, read: set[str], now: datetime) -> dict[str, Look]:
    """The looks of the plan that still hold: jobs not read this pass, not due yet."""
    if plan is None:
        return {}
    return {
        batch_id: look
        for batch_id, look in plan.jobs.items()
        if batch_id not in read and look.at > now
    }
