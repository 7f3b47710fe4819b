"""The local scheduler: claims each due run once through the store, runs it, records it.

A run is claimed by inserting its row keyed by (schedule, due time): of several workers
finding the same run due, one insert wins. The claim moves the schedule's due time to the
first slot after now, so a process that was down catches up once, with one run marked late
that counts the slots it stands for, instead of once per missed slot. The thread sleeps
until the next due time (at most `max_sleep`, so schedules saved by another process are
seen), and `wake()` makes it look at once after a local save.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from drorch.domain.audit import Outcome as AuditOutcome
from drorch.domain.common import new_id
from drorch.domain.notifications import EventKind, Subject
from drorch.domain.schedules import RunStatus, Schedule, ScheduleRun, is_late
from drorch.services.audit import AuditContext, record
from drorch.services.notifications import raise_event
from drorch.services.schedule_runs import Outcome, RunTools, acting_owner, run_kind

if TYPE_CHECKING:
    from drorch.ports.store import UnitOfWork

log = logging.getLogger(__name__)
AUDIT_OUTCOME = {
    RunStatus.STARTED: AuditOutcome.SUCCESS,
    RunStatus.SUCCEEDED: AuditOutcome.SUCCESS,
    RunStatus.FAILED: AuditOutcome.FAILED,
    RunStatus.SKIPPED: AuditOutcome.REFUSED,
}


class Scheduler:
    """Background driver of schedules (satisfies bootstrap.Background)."""

    def __init__(
        self,
        tools: RunTools,
        *,
        owner: str,
        late_after: timedelta = timedelta(minutes=2),
        stale_after: timedelta = timedelta(hours=1),
        max_sleep: float = 15.0,
    ) -> None:
        self.tools = tools
        self.owner = owner
        self.late_after = late_after
        self.stale_after = stale_after
        self.max_sleep = max_sleep
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Close runs a stopped worker left open, then start the thread."""
        if self._thread is not None:
            return
        self.close_stale()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="drorch-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the run in progress, if any."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def running(self) -> bool:
        """True while the thread is alive and not told to stop."""
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Look at the schedules now (one was saved)."""
        self._wake.set()

    def tick(self) -> list[ScheduleRun]:
        """Claim and run every schedule due now; the runs this worker finished."""
        now = self.tools.clock.now()
        with self.tools.store.read() as uow:
            due = uow.schedules.due(now)
        finished = []
        for schedule, due_at in due:
            if self._stop.is_set():
                break
            run = self.claim(schedule, due_at, now)
            if run is not None:
                finished.append(self.execute(schedule, run))
        return finished

    def claim(self, schedule: Schedule, due_at: datetime, now: datetime) -> ScheduleRun | None:
        """The run of `due_at` if this worker won it; None when another did, or it moved."""
        run = ScheduleRun(
            id=new_id("sr"),
            schedule_id=schedule.id,
            due_at=due_at,
            claimed_at=now,
            claimed_by=self.owner,
            late=is_late(due_at, now, self.late_after),
            missed=schedule.slots_between(due_at, now) - 1,
        )
        following = schedule.next_due(now) if schedule.enabled else None
        with self.tools.store.transaction() as uow:
            # An edit since the read chose another due time: that one is claimed later.
            if uow.schedules.next_due_of([schedule.id]).get(schedule.id) != due_at:
                return None
            if not uow.schedules.claim(run, next_due_at=following):
                return None
        log.info("schedule %s: claimed the run due %s as %s", schedule.name, due_at, run.id)
        return run

    def execute(self, schedule: Schedule, run: ScheduleRun) -> ScheduleRun:
        """Run a claimed run as the schedule's owner and store how it went, audited."""
        principal, refusal = acting_owner(self.tools.store, schedule)
        outcome = refusal
        if principal is not None:
            try:
                outcome = run_kind(self.tools, schedule, run, principal)
            except Exception as exc:  # a broken run must not stop the scheduler
                log.exception("schedule %s: run %s raised", schedule.name, run.id)
                outcome = Outcome(RunStatus.FAILED, f"the run failed: {exc}", [])
        assert outcome is not None  # either a principal acted or a refusal said why not
        done = outcome.applied(run, self.tools.clock.now())
        with self.tools.store.transaction() as uow:
            uow.schedules.finish(done)
            record(
                uow,
                "schedule.run",
                "schedule",
                schedule.id,
                audit=AuditContext(principal, request_id=run.id),
                outcome=AUDIT_OUTCOME[done.status],
                username=schedule.owner.username,
                detail=_audit_detail(schedule, done),
                at=done.finished_at,
            )
            if done.status is RunStatus.SKIPPED:
                _announce_skip(uow, schedule, done)
        return done

    def close_stale(self) -> int:
        """Mark runs left RUNNING longer than `stale_after` as FAILED (their worker stopped)."""
        now = self.tools.clock.now()
        closed = 0
        with self.tools.store.transaction() as uow:
            for run in uow.schedules.running():
                if now - run.claimed_at > self.stale_after:
                    message = f"the worker {run.claimed_by} stopped during this run"
                    uow.schedules.finish(run.ended(RunStatus.FAILED, now, message))
                    closed += 1
        return closed

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            self._wake.wait(self._sleep_seconds())
            self._wake.clear()

    def _sleep_seconds(self) -> float:
        try:
            with self.tools.store.read() as uow:
                due = uow.schedules.next_due()
        except Exception:
            log.exception("scheduler could not read the next due time")
            return self.max_sleep
        if due is None:
            return self.max_sleep
        wait = (due - self.tools.clock.now()).total_seconds()
        return min(max(wait, 0.05), self.max_sleep)


def _announce_skip(uow: UnitOfWork, schedule: Schedule, run: ScheduleRun) -> None:
    """Queue the `schedule skipped` notification, once per run, in the run's transaction."""
    plan = uow.plans.get(schedule.plan_id) if schedule.plan_id else None
    subject = Subject(
        type="schedule",
        id=schedule.id,
        plan_id=schedule.plan_id,
        plan_name=plan.name if plan else None,
    )
    reasons = [str(r.get("reason")) for r in run.reasons]
    payload = {
        "schedule_name": schedule.name,
        "run_id": run.id,
        "due_at": run.due_at.isoformat(),
        "message": run.message,
        "reason": ", ".join(reasons),
    }
    assert run.finished_at is not None  # a finished run
    raise_event(
        uow,
        kind=EventKind.SCHEDULE_SKIPPED,
        subject=subject,
        payload=payload,
        at=run.finished_at,
        dedupe_key=f"schedule.skipped:{run.id}",
    )


def _audit_detail(schedule: Schedule, run: ScheduleRun) -> dict[str, object]:
    detail: dict[str, object] = {
        "run_id": run.id,
        "kind": schedule.kind.value,
        "status": run.status.value,
        "due_at": run.due_at.isoformat(),
        "late": run.late,
        "missed": run.missed,
    }
    if run.execution_id:
        detail["execution_id"] = run.execution_id
    if run.status is RunStatus.SKIPPED and run.reasons:
        detail["reasons"] = [r.get("reason") for r in run.reasons]
    return detail
