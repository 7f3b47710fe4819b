"""The doctor's checks (pure): each turns what the store holds into one ok/warn/fail Check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from drorch.domain.doctor import Check, listed, minutes
from drorch.domain.executions import Event, Execution, ExecutionSummary, Intent
from drorch.domain.inventory import SourceServer
from drorch.domain.rto import rto_figures
from drorch.engine.quotas import Limits, usage
from drorch.ports.execution_store import Lease
from drorch.ports.store import StoreHealth

# DRS replication states in which nothing reaches the staging area any more.
STALLED_REPLICATION = frozenset({"STALLED", "DISCONNECTED", "STOPPED"})
REPLICATING_PER_ACCOUNT = 300  # DRS quota: replicating source servers per account


@dataclass(frozen=True)
class Thresholds:
    """The bounds the checks judge against (from Settings)."""

    rto_factor: float = 1.5
    stall: timedelta = timedelta(minutes=30)
    lease_grace: timedelta = timedelta(minutes=10)
    cleanup_grace: timedelta = timedelta(minutes=60)
    lag_seconds: float = 300.0
    quota_warn_ratio: float = 0.8
    store_warn_bytes: int = 2048 * 1024 * 1024


def overdue(runs: Sequence[Execution], now: datetime, limits: Thresholds) -> Check:
    """Active executions running longer than their plan's RTO times the factor."""
    found = []
    for ex in runs:
        spent = overrun(ex, now, limits)
        if spent is not None:
            rto = ex.snapshot.plan.rto_minutes
            found.append(f"{ex.id} ({ex.plan_name}, {minutes(spent)} vs RTO {rto} min)")
    if not found:
        return Check(name="executions_overdue", status="ok", message="no run exceeds its RTO")
    return Check(
        name="executions_overdue",
        status="fail",
        message=f"{len(found)} running over {limits.rto_factor}x their RTO: {listed(found)}; "
        "read their timelines (drorch exec get ID) and pause or cancel them",
        items=found,
    )


def stalled(
    runs: Sequence[tuple[Execution, Event | None]], now: datetime, limits: Thresholds
) -> Check:
    """Active executions whose timeline has had no event for longer than the bound."""
    stuck: list[str] = []
    waiting: list[str] = []
    for ex, last in runs:
        silent = quiet(ex, last, now, limits)
        if silent is None:
            continue
        line = f"{ex.id} ({ex.plan_name}, {ex.status}, quiet {minutes(silent)})"
        (waiting if ex.status == "PAUSED" else stuck).append(line)
    if stuck:
        bound = minutes(limits.stall.total_seconds())
        return Check(
            name="executions_stalled",
            status="fail",
            message=f"{len(stuck)} with no progress for over {bound}: {listed(stuck)}; "
            "check that a server or worker runs and that DRS answers",
            items=stuck + waiting,
        )
    if waiting:
        return Check(
            name="executions_stalled",
            status="warn",
            message=f"{len(waiting)} paused for long: {listed(waiting)}; resume or cancel them",
            items=waiting,
        )
    return Check(name="executions_stalled", status="ok", message="every active run progresses")


def overrun(ex: Execution, now: datetime, limits: Thresholds) -> float | None:
    """Seconds an execution has run when that is over its RTO times the factor, else None."""
    rto = ex.snapshot.plan.rto_minutes
    if rto is None or ex.started_at is None:
        return None
    # Time spent PAUSED waits for people, as in the RTO figures: it does not count.
    spent = (now - ex.started_at).total_seconds() - rto_figures(ex, now).paused_seconds
    return spent if spent > rto * 60 * limits.rto_factor else None


def quiet(ex: Execution, last: Event | None, now: datetime, limits: Thresholds) -> float | None:
    """Seconds since the timeline's last event when that is over the stall bound, else None."""
    since = last.at if last is not None else ex.updated_at
    silent = (now - since).total_seconds()
    return silent if now - since > limits.stall else None


def stuck_reason(
    ex: Execution, last: Event | None, now: datetime, limits: Thresholds
) -> str | None:
    """Why an active execution counts as stuck (the `execution stuck` notification), or None.

    The same judgement as the overdue and stalled checks; a PAUSED run waits for people
    and is only stuck once it is over its RTO.
    """
    spent = overrun(ex, now, limits)
    if spent is not None:
        rto = ex.snapshot.plan.rto_minutes
        return f"running {minutes(spent)}, over {limits.rto_factor}x its RTO of {rto} min"
    silent = quiet(ex, last, now, limits)
    if silent is not None and ex.status != "PAUSED":
        return f"no progress for {minutes(silent)} ({ex.status})"
    return None


def dead_leases(leases: Sequence[Lease], now: datetime, limits: Thresholds) -> Check:
    """Leases whose expiry passed long ago: the worker that took them stopped."""
    dead = [
        f"{lease.execution_id} (held by {lease.owner}, expired "
        f"{minutes((now - lease.until).total_seconds())} ago)"
        for lease in leases
        if now - lease.until > limits.lease_grace
    ]
    if not dead:
        return Check(name="leases", status="ok", message=f"{len(leases)} held, none abandoned")
    return Check(
        name="leases",
        status="fail",
        message=f"{len(dead)} leases left by stopped workers: {listed(dead)}; "
        "start drorch serve or drorch worker on this data dir to take them over",
        items=dead,
    )


def uncleaned(drills: Sequence[ExecutionSummary], now: datetime, limits: Thresholds) -> Check:
    """Drills that ended but whose recovery instances were never (all) terminated."""
    incomplete = [d.id for d in drills if d.cleanup_status == "INCOMPLETE"]
    forgotten = [
        d.id
        for d in drills
        if d.cleanup_status == "NOT_STARTED"
        and d.ended_at is not None
        and now - d.ended_at > limits.cleanup_grace
    ]
    if incomplete:
        return Check(
            name="drill_cleanup",
            status="fail",
            message=f"{len(incomplete)} drills left instances behind: {listed(incomplete)}; "
            "run drorch exec terminate ID again and check the leftovers in DRS",
            items=incomplete + forgotten,
        )
    if forgotten:
        return Check(
            name="drill_cleanup",
            status="warn",
            message=f"{len(forgotten)} ended drills never cleaned up: {listed(forgotten)}; "
            "run drorch exec terminate ID for each",
            items=forgotten,
        )
    return Check(name="drill_cleanup", status="ok", message="every ended drill was cleaned up")


def replication(servers: Sequence[SourceServer], limits: Thresholds) -> Check:
    """Servers whose replication stalled, is not continuous, or lags beyond the threshold."""
    broken = [
        f"{s.id} ({s.hostname}, {s.replication_state})"
        for s in servers
        if s.replication_state in STALLED_REPLICATION
    ]
    lagging = [
        f"{s.id} ({s.hostname}, {s.replication_state}, lag {int(s.lag_seconds or 0)} s)"
        for s in servers
        if s.replication_state not in STALLED_REPLICATION
        and (not s.replication_healthy or (s.lag_seconds or 0) > limits.lag_seconds)
    ]
    if broken:
        return Check(
            name="replication",
            status="fail",
            message=f"{len(broken)} servers stopped replicating: {listed(broken)}; "
            "fix their replication agents in DRS, then run drorch servers sync",
            items=broken + lagging,
        )
    if lagging:
        return Check(
            name="replication",
            status="warn",
            message=f"{len(lagging)} servers behind (lag over {int(limits.lag_seconds)} s or not "
            f"continuous): {listed(lagging)}; watch them, then run drorch servers sync",
            items=lagging,
        )
    return Check(
        name="replication", status="ok", message=f"{len(servers)} servers replicate continuously"
    )


def quota_headroom(
    scope: tuple[str, str],
    intents: Iterable[Intent],
    replicating: int,
    limits: Thresholds,
    quotas: Limits = Limits(),
) -> Check:
    """Use of DRS's quotas in one account and Region, as drorch's own intents show it."""
    used = usage([], intents)
    shares = {
        "concurrent jobs": (used.jobs, quotas.concurrent_jobs),
        "servers in active jobs": (used.servers, quotas.servers_in_active_jobs),
        "replicating servers": (replicating, REPLICATING_PER_ACCOUNT),
    }
    text = ", ".join(f"{k} {n}/{cap}" for k, (n, cap) in shares.items())
    worst = max(n / cap for n, cap in shares.values())
    name = f"quota {scope[0]}/{scope[1]}"
    if worst >= 1:
        status, hint = "fail", "; new jobs must wait: let running ones finish or raise the quota"
    elif worst >= limits.quota_warn_ratio:
        status, hint = "warn", "; little room left: stagger drills or ask AWS for more"
    else:
        status, hint = "ok", ""
    return Check(name=name, status=status, message=f"{text}{hint}")


def store(health: StoreHealth, limits: Thresholds) -> Check:
    """The store's integrity and size."""
    size = f"{health.size_bytes / 1024 / 1024:.1f} MiB"
    if not health.ok:
        return Check(
            name="store",
            status="fail",
            message=f"integrity check failed ({health.detail}); stop drorch and restore the "
            "latest backup (drorch restore FILE --force)",
        )
    if health.size_bytes > limits.store_warn_bytes:
        return Check(
            name="store",
            status="warn",
            message=f"{size}, over {limits.store_warn_bytes // 1024 // 1024} MiB; "
            "take a backup and archive old executions",
        )
    return Check(name="store", status="ok", message=f"integrity ok, {size}")
