"""Reads one execution, its timeline and its audit records, and builds the report's facts."""

from __future__ import annotations

from datetime import datetime

from drorch.domain.audit import AuditRecord
from drorch.domain.executions import Event, Execution, StepRun, WaveRun
from drorch.domain.rto import rto_figures
from drorch.ports.store import AuditQuery, Store, UnitOfWork
from drorch.services.executions import require_execution
from drorch.services.reports.model import (
    Act,
    Cleanup,
    EventLine,
    ExecutionReport,
    Readiness,
    ServerLine,
    StepLine,
    WaveLine,
)

PAGE = 500
# A report is evidence of one run, not an unbounded dump: this many events at most.
MAX_EVENTS = 20_000
# Keys under which a start may record its preflight or readiness findings.
FINDING_KEYS = ("preflight", "readiness", "warnings")


def build_report(*, store: Store, execution_id: str, now: datetime) -> ExecutionReport:
    """The report of one execution (NotFoundError for an unknown id)."""
    with store.read() as uow:
        ex = require_execution(uow, execution_id)
        events = _events(uow, execution_id)
        audit = _audit(uow, execution_id)
    return _report(ex, events, audit, now)


def _events(uow: UnitOfWork, execution_id: str) -> list[Event]:
    found: list[Event] = []
    cursor: str | None = None
    while len(found) < MAX_EVENTS:
        page = uow.executions.events_page(execution_id, cursor, PAGE)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            break
    return found


def _audit(uow: UnitOfWork, execution_id: str) -> list[AuditRecord]:
    found: list[AuditRecord] = []
    cursor: str | None = None
    while True:
        query = AuditQuery(
            target_type="execution", target_id=execution_id, limit=PAGE, cursor=cursor
        )
        page = uow.audit.page(query)
        found.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return sorted(found, key=lambda r: (r.at, r.seq))


def _report(
    ex: Execution, events: list[Event], audit: list[AuditRecord], now: datetime
) -> ExecutionReport:
    rto = rto_figures(ex, now)
    plan = ex.snapshot.plan
    names = {g.id: g.name for g in ex.snapshot.groups}
    return ExecutionReport(
        execution_id=ex.id,
        plan_id=ex.plan_id,
        plan_name=ex.plan_name,
        plan_description=plan.description,
        type=ex.type,
        status=ex.status,
        started_by=ex.started_by,
        created_at=ex.created_at,
        started_at=ex.started_at,
        ended_at=ex.ended_at,
        generated_at=now,
        rto_target_minutes=plan.rto_minutes,
        rto_achieved_seconds=rto.achieved_seconds,
        paused_seconds=rto.paused_seconds,
        within_rto=rto.within_rto,
        selected_waves=list(ex.snapshot.selected_waves),
        group_names=names,
        waves=[_wave(w, plan_groups(ex, w.name), names) for w in ex.waves],
        servers=[_server(w.name, s) for w in ex.waves for s in w.servers],
        steps=[_step(w.name, step) for w in ex.waves for step in w.steps],
        acts=_acts(audit, events),
        readiness=_readiness(ex, events),
        cleanup=_cleanup(ex),
        events=[_event(e) for e in events],
    )


def plan_groups(ex: Execution, wave: str) -> list[str]:
    """The protection group ids the plan's wave held when the execution started."""
    for planned in ex.snapshot.plan.waves:
        if planned.name == wave:
            return list(planned.protection_group_ids)
    return []


def _wave(wave: WaveRun, group_ids: list[str], names: dict[str, str]) -> WaveLine:
    return WaveLine(
        name=wave.name,
        groups=[names.get(g, g) for g in group_ids],
        depends_on=list(wave.depends_on),
        pause_before=wave.pause_before,
        status=wave.status,
        started_at=wave.started_at,
        ended_at=wave.ended_at,
        servers=len(wave.servers),
        launched=sum(1 for s in wave.servers if s.launch_status == "LAUNCHED"),
        failed=sum(1 for s in wave.servers if s.launch_status == "FAILED"),
    )


def _server(wave: str, s: object) -> ServerLine:
    fields = {name: getattr(s, name) for name in ServerLine.__dataclass_fields__ if name != "wave"}
    return ServerLine(wave=wave, **fields)


def _step(wave: str, step: StepRun) -> StepLine:
    error = f"{step.error_code}: {step.error}" if step.error_code and step.error else step.error
    return StepLine(
        wave=wave,
        name=step.name,
        type=step.type,
        phase=step.phase,
        status=step.status,
        account_id=step.account_id,
        region=step.region,
        started_at=step.started_at,
        ended_at=step.ended_at,
        changed=dict(step.changed),
        output=dict(step.output),
        error=error,
        decided_by=step.decided_by,
        comment=step.comment,
        undo=step.undo.status if step.undo else None,
    )


def _acts(audit: list[AuditRecord], events: list[Event]) -> list[Act]:
    """Who did what: the audit log's records, or the timeline's human events without them."""
    if audit:
        return [
            Act(r.at, r.username or r.principal or "?", r.role, r.action, r.outcome, r.comment)
            for r in audit
        ]
    return [
        Act(e.at, e.actor, None, e.kind, "success", e.data.get("comment"))
        for e in events
        if e.actor != "drorch"
    ]


def _readiness(ex: Execution, events: list[Event]) -> Readiness:
    replication = [
        (s.source_server_id, s.hostname, s.replication_state) for s in ex.snapshot.servers
    ]
    created = next((e for e in events if e.kind == "execution.created"), None)
    findings: list[str] = []
    for key in FINDING_KEYS:
        for item in (created.data.get(key) or []) if created else []:
            findings.append(str(item.get("message", item)) if isinstance(item, dict) else str(item))
    return Readiness(replication=replication, findings=findings)


def _cleanup(ex: Execution) -> Cleanup:
    jobs = [b.job_id for b in ex.batches if b.kind == "TERMINATE" and b.job_id]
    return Cleanup(
        status=ex.cleanup_status,
        started_at=ex.cleanup_started_at,
        terminate_jobs=jobs,
        leftovers=list(ex.leftovers),
    )


def _event(e: Event) -> EventLine:
    comment = e.data.get("comment")
    return EventLine(e.seq, e.at, e.actor, e.kind, e.message, str(comment) if comment else None)
