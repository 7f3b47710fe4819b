"""The morning checklist: read the store, run every doctor check, one report."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from drorch.config import Settings
from drorch.domain.doctor import Check, DoctorReport, report
from drorch.domain.executions import Event, Execution
from drorch.domain.inventory import SourceServer
from drorch.ports.store import Page, ServerQuery, Store, UnitOfWork
from drorch.services import doctor_checks as checks
from drorch.services.doctor_checks import Thresholds

SERVER_PAGE = 500


def thresholds(settings: Settings) -> Thresholds:
    """The doctor's bounds from the settings."""
    return Thresholds(
        rto_factor=settings.doctor_rto_factor,
        stall=timedelta(minutes=settings.doctor_stall_minutes),
        lease_grace=timedelta(minutes=settings.doctor_lease_grace_minutes),
        cleanup_grace=timedelta(minutes=settings.doctor_cleanup_grace_minutes),
        lag_seconds=settings.doctor_lag_seconds,
        quota_warn_ratio=settings.doctor_quota_warn_ratio,
        store_warn_bytes=int(settings.doctor_store_warn_mb * 1024 * 1024),
    )


def run_doctor(*, store: Store, limits: Thresholds, now: datetime) -> DoctorReport:
    """Every check against one read of the store."""
    found = [checks.store(store.health(), limits)]
    with store.read() as uow:
        runs = _active_runs(uow)
        servers = _all_servers(uow)
        found += [
            checks.overdue([ex for ex, _ in runs], now, limits),
            checks.stalled(runs, now, limits),
            checks.dead_leases(uow.executions.lease_rows(), now, limits),
            checks.uncleaned(uow.executions.uncleaned_drills(), now, limits),
            checks.replication(servers, limits),
            *_quota_checks(uow, servers, limits),
        ]
    return report(found, now)


def _active_runs(uow: UnitOfWork) -> list[tuple[Execution, Event | None]]:
    """Each active execution with the newest event of its timeline."""
    runs = []
    for summary in uow.executions.active_summaries():
        ex = uow.executions.get(summary.id)
        if ex is not None:
            runs.append((ex, uow.executions.last_event(ex.id)))
    return runs


def _all_servers(uow: UnitOfWork) -> list[SourceServer]:
    """The whole cached inventory, page by page."""
    servers: list[SourceServer] = []
    cursor: str | None = None
    while True:
        page: Page[SourceServer] = uow.servers.page(
            ServerQuery(sort="hostname", limit=SERVER_PAGE, cursor=cursor)
        )
        servers += page.items
        cursor = page.next_cursor
        if cursor is None:
            return servers


def _quota_checks(uow: UnitOfWork, servers: list[SourceServer], limits: Thresholds) -> list[Check]:
    """One quota check per account and Region the inventory knows."""
    per_account = Counter(s.account_id for s in servers)
    scopes = sorted({(s.account_id, s.region) for s in servers})
    return [
        checks.quota_headroom(
            scope, uow.executions.open_intents(*scope), per_account[scope[0]], limits
        )
        for scope in scopes
    ]
