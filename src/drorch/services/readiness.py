"""Readiness use cases: evaluate a plan's checks, keep the run, read the history.

`run_readiness` is the one entry point for on-demand and scheduled runs; a start runs the
same checks through `prepare` / `finish` (services/executions.py) and a save runs the
store-only ones through `save_findings`. A change of a plan's status is detected in one
place, `_announce`, which hands it to the listeners the container wires (notifications).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from drorch.domain.common import new_id
from drorch.domain.plans import RecoveryPlan
from drorch.domain.readiness import (
    Finding,
    ReadinessRun,
    ReadinessStatus,
    Severity,
    Transition,
    Trigger,
    status_of,
    transition,
)
from drorch.engine import start as start_rules
from drorch.errors import NotFoundError
from drorch.ports.accounts import AccountProbe
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.sessions import SessionProvider
from drorch.ports.steps import StepExecutors
from drorch.ports.store import Page, Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.plans import find_plan
from drorch.services.readiness_checks import CHECKS, Check, Context, Policy

log = logging.getLogger(__name__)

ReadinessListener = Callable[[Transition, ReadinessRun], None]


@dataclass
class ReadinessPorts:
    """What a readiness run needs from the process (built by bootstrap.readiness_ports)."""

    store: Store
    drs: DrsGateway | None
    clock: Clock
    probe: AccountProbe | None = None
    sessions: SessionProvider | None = None
    ec2: Ec2Gateway | None = None  # the launch-settings check reads subnets, groups, IPs
    steps: StepExecutors | None = None  # the action-targets check looks the targets up
    policy: Policy = field(default_factory=Policy)
    listeners: Sequence[ReadinessListener] = ()
    hub_accounts: Collection[str] = ()  # reached without registering (a sandbox fleet's)


@dataclass
class Evaluation:
    """Findings of the checks run so far, by check id, and the context they read."""

    ctx: Context
    found: dict[str, list[Finding]] = field(default_factory=dict)

    def ordered(self) -> list[Finding]:
        """Every finding, in registry order."""
        return [f for check in CHECKS for f in self.found.get(check.id, [])]


def run_readiness(
    plan_id: str,
    *,
    trigger: Trigger = Trigger.ON_DEMAND,
    ports: ReadinessPorts,
    audit: AuditContext = SYSTEM_AUDIT,
) -> ReadinessRun:
    """Run every check of a plan (by id or name), keep the run, announce a status change."""
    plan = find_plan(store=ports.store, id_or_name=plan_id)
    started = ports.clock.now()
    evaluation = prepare(ports, plan, None, trigger=trigger)
    with ports.store.transaction() as uow:
        previous, run = finish(uow, evaluation, by=audit.actor, started=started)
        detail = {"status": run.status.value, "trigger": trigger.value, "errors": len(run.errors)}
        record(uow, "plan.readiness", "plan", plan.id, audit=audit, detail=detail)
    _announce(ports.listeners, previous, run)
    return run


def prepare(
    ports: ReadinessPorts,
    plan: RecoveryPlan,
    waves: Sequence[str] | None,
    *,
    trigger: Trigger,
    drill: bool = True,
) -> Evaluation:
    """Snapshot the plan and run the checks that need no writing transaction (DRS may be slow)."""
    selected = start_rules.selected_waves(plan, waves)
    with ports.store.read() as uow:
        snap, invalid = start_rules.load_snapshot(uow, plan, selected)
        members = {g.id: uow.groups.members(g.id) for g in snap.groups}
        inventory = uow.servers.get_many(s.source_server_id for s in snap.servers)
        ctx = Context(
            plan=plan,
            snap=snap,
            invalid=invalid,
            members=members,
            inventory=inventory,
            trigger=trigger,
            clock=ports.clock,
            policy=ports.policy,
            drs=ports.drs if trigger is not Trigger.SAVE else None,
            probe=ports.probe if trigger is not Trigger.SAVE else None,
            sessions=ports.sessions if trigger is not Trigger.SAVE else None,
            ec2=ports.ec2 if trigger is not Trigger.SAVE else None,
            steps=ports.steps if trigger is not Trigger.SAVE else None,
            drill=drill,
            hub_accounts=frozenset(ports.hub_accounts),
        )
        evaluation = Evaluation(ctx)
        _run(evaluation, uow, [c for c in _due(trigger) if not c.in_transaction])
    return evaluation


def complete(evaluation: Evaluation, uow: UnitOfWork) -> list[Finding]:
    """Run the checks that read what other executions hold, in the caller's transaction."""
    _run(evaluation, uow, [c for c in _due(evaluation.ctx.trigger) if c.in_transaction])
    return evaluation.ordered()


def finish(
    uow: UnitOfWork, evaluation: Evaluation, *, by: str, started: datetime | None = None
) -> tuple[ReadinessRun | None, ReadinessRun]:
    """Complete the evaluation in `uow` and keep the run; returns (previous latest, run)."""
    findings = complete(evaluation, uow)
    ctx = evaluation.ctx
    now = ctx.clock.now()
    run = ReadinessRun(
        id=new_id("rr"),
        plan_id=ctx.plan.id,
        plan_name=ctx.plan.name,
        trigger=ctx.trigger,
        status=status_of(findings),
        started_at=started if started is not None else now,
        finished_at=now,
        by=by,
        checks=[c.id for c in _due(ctx.trigger)],
        findings=findings,
    )
    previous = uow.readiness.latest(ctx.plan.id)
    return previous, uow.readiness.add(run)


def save_findings(*, ports: ReadinessPorts, plan: RecoveryPlan) -> list[Finding]:
    """The store-only checks of a plan just saved (fast, read-only, nothing kept)."""
    evaluation = prepare(ports, plan, None, trigger=Trigger.SAVE)
    with ports.store.read() as uow:
        return [f for f in complete(evaluation, uow) if f.severity is not Severity.INFO]


def announce_start(
    listeners: Sequence[ReadinessListener], previous: ReadinessRun | None, run: ReadinessRun
) -> None:
    """A start's run changes the plan's status like any other run."""
    _announce(listeners, previous, run)


def _announce(
    listeners: Sequence[ReadinessListener], previous: ReadinessRun | None, run: ReadinessRun
) -> None:
    """THE place a plan's readiness change is detected; notifications subscribe here."""
    change = transition(previous.status if previous else None, run.status)
    if change is None:
        return
    log.info("plan %s: %s (%s)", run.plan_name, change.value, run.id)
    for listener in listeners:
        try:
            listener(change, run)
        except Exception:  # a listener's failure never fails the run that was kept
            log.exception("readiness listener failed for %s", run.id)


def _due(trigger: Trigger) -> list[Check]:
    """The checks a trigger runs: all of them, except the ones calling AWS on a save."""
    return [c for c in CHECKS if not (c.live and trigger is Trigger.SAVE)]


def _run(evaluation: Evaluation, uow: UnitOfWork, checks: Sequence[Check]) -> None:
    for check in checks:
        evaluation.found[check.id] = check.run(evaluation.ctx, uow)


def latest_readiness(*, store: Store, plan_id: str) -> ReadinessRun | None:
    """The plan's newest run (None when never checked); 404 for an unknown plan."""
    with store.read() as uow:
        _require_plan(uow, plan_id)
        return uow.readiness.latest(plan_id)


def readiness_history(
    *, store: Store, plan_id: str, cursor: str | None = None, limit: int = 20
) -> Page[ReadinessRun]:
    """A page of the plan's runs, newest first; 404 for an unknown plan."""
    with store.read() as uow:
        _require_plan(uow, plan_id)
        return uow.readiness.page(plan_id, cursor, limit)


def readiness_overview(*, store: Store) -> list[ReadinessRun]:
    """The latest run of every plan that was checked (plans list, dashboard)."""
    with store.read() as uow:
        return uow.readiness.latest_of_every_plan()


def not_ready(runs: Sequence[ReadinessRun]) -> list[ReadinessRun]:
    """The runs whose plan is not ready."""
    return [r for r in runs if r.status is ReadinessStatus.NOT_READY]


def _require_plan(uow: UnitOfWork, plan_id: str) -> None:
    if uow.plans.get(plan_id) is None:
        raise NotFoundError(f"recovery plan {plan_id} does not exist")
