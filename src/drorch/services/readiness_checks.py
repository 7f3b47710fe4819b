"""The readiness check registry and the checks that read only the store.

A check is a small function `(Context, UnitOfWork) -> list[Finding]`, registered once in
`CHECKS` with what it needs. `live` checks call AWS (skipped on save); `in_transaction`
checks read what other executions hold right now, so a start runs them inside its writing
transaction. Checks are independent: each reads the context, none reads another's findings.
Checks of other modules join with one `CHECKS.append(Check(...))` line (see the bottom).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from drorch.domain.executions import Snapshot
from drorch.domain.groups import ProtectionGroup
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import RecoveryPlan
from drorch.domain.readiness import Finding, Severity, Subject, SubjectKind, Trigger
from drorch.engine import quotas
from drorch.engine.retrying import ReadRetry
from drorch.ports.accounts import AccountProbe
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.sessions import SessionProvider
from drorch.ports.steps import StepExecutors
from drorch.ports.store import UnitOfWork

DEFAULT_LAG_SECONDS = 900.0


@dataclass(frozen=True)
class Policy:
    """Thresholds and retry bounds a readiness run uses (from Settings)."""

    lag_seconds: float = DEFAULT_LAG_SECONDS
    retry: ReadRetry = field(default_factory=ReadRetry)
    limits: quotas.Limits = field(default_factory=quotas.Limits)


@dataclass
class Context:
    """What every check may read: the plan as a start would snapshot it, and the ports."""

    plan: RecoveryPlan
    snap: Snapshot
    invalid: list[dict[str, Any]]  # the plan's structural problems (path, message)
    members: Mapping[str, list[str]]  # group id -> its server ids
    inventory: Mapping[str, SourceServer]
    trigger: Trigger
    clock: Clock
    policy: Policy = field(default_factory=Policy)
    drs: DrsGateway | None = None
    probe: AccountProbe | None = None
    # For checks that need other AWS clients of a target account (EC2 for launch settings).
    sessions: SessionProvider | None = None
    ec2: Ec2Gateway | None = None  # the target accounts' EC2 (through `sessions`' accounts)
    steps: StepExecutors | None = None  # the AWS action types: their targets are looked up
    drill: bool = True  # a RECOVERY start gets capacity before drills
    rng: random.Random = field(default_factory=random.Random)
    hub_accounts: frozenset[str] = frozenset()  # accounts groups may use unregistered

    @property
    def for_start(self) -> bool:
        """True when the run decides a start (busy servers block only then)."""
        return self.trigger is Trigger.START

    def groups(self) -> dict[str, ProtectionGroup]:
        """The snapshot's groups by id."""
        return {g.id: g for g in self.snap.groups}


CheckFn = Callable[[Context, UnitOfWork], list[Finding]]


@dataclass(frozen=True)
class Check:
    """One registered check."""

    id: str
    run: CheckFn
    live: bool = False  # calls AWS: not run on save
    in_transaction: bool = False  # reads other executions' holdings: a start's own transaction
    overridable: bool = False  # `allow_unhealthy` turns its errors into warnings at a start


def finding(
    check: str,
    code: str,
    severity: Severity,
    subject: tuple[SubjectKind, str],
    message: str,
    **detail: Any,
) -> Finding:
    """A finding, detail given as keywords."""
    kind, ident = subject
    return Finding(
        check=check,
        code=code,
        severity=severity,
        subject=Subject(kind=kind, id=ident),
        message=message,
        detail=detail,
    )


def check_plan_structure(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """The plan's waves form a valid graph over groups that exist."""
    return [
        finding(
            "plan",
            "plan-invalid",
            Severity.ERROR,
            (SubjectKind.PLAN, ctx.plan.id),
            p["message"],
            path=p["path"],
        )
        for p in ctx.invalid
    ]


def check_plan_running(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """The plan is not running already (blocks a start; only noted otherwise)."""
    severity = Severity.ERROR if ctx.for_start else Severity.INFO
    return [
        finding(
            "plan-running",
            "plan-running",
            severity,
            (SubjectKind.PLAN, ctx.plan.id),
            f"plan {s.plan_name!r} is already running as {s.id} ({s.status})",
            execution_id=s.id,
        )
        for s in uow.executions.active_summaries()
        if s.plan_id == ctx.plan.id
    ]


def check_servers_busy(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """No server of the plan is in another active execution (blocks a start)."""
    busy = uow.executions.busy_servers()
    severity = Severity.ERROR if ctx.for_start else Severity.INFO
    return [
        finding(
            "server-busy",
            "server-busy",
            severity,
            (SubjectKind.SERVER, s.source_server_id),
            f"{s.source_server_id} is in active execution {busy[s.source_server_id]}",
            source_server_id=s.source_server_id,
            execution_id=busy[s.source_server_id],
        )
        for s in ctx.snap.servers
        if s.source_server_id in busy
    ]


def check_groups_resolve(ctx: Context, uow: UnitOfWork) -> list[Finding]:
    """Every group resolves to servers, every wave has some, no server is in two waves."""
    found: list[Finding] = []
    groups = ctx.groups()
    filled = {s.wave for s in ctx.snap.servers}
    # An empty group of an empty wave is told once, by the wave's finding.
    in_filled = {g for w in ctx.plan.waves if w.name in filled for g in w.protection_group_ids}
    for group_id in ctx.members:
        if not ctx.members[group_id] and group_id in groups and group_id in in_filled:
            name = groups[group_id].name
            found.append(
                finding(
                    "groups",
                    "group-empty",
                    Severity.WARNING,
                    (SubjectKind.GROUP, group_id),
                    f"protection group {name!r} resolves to no server",
                    group_id=group_id,
                )
            )
    found += _empty_waves(ctx)
    found += _servers_twice(ctx)
    return found


def _empty_waves(ctx: Context) -> list[Finding]:
    filled = {s.wave for s in ctx.snap.servers}
    return [
        finding(
            "groups",
            "wave-empty",
            Severity.WARNING,
            (SubjectKind.WAVE, name),
            f"wave {name!r} has no servers",
            wave=name,
        )
        for name in ctx.snap.selected_waves
        if name not in filled
    ]


def _servers_twice(ctx: Context) -> list[Finding]:
    # The group invariant should make this impossible; a tag group racing a sync must not
    # launch one server twice.
    counts = Counter(s.source_server_id for s in ctx.snap.servers)
    waves: dict[str, list[str]] = {}
    for s in ctx.snap.servers:
        waves.setdefault(s.source_server_id, []).append(s.wave)
    return [
        finding(
            "groups",
            "server-in-two-waves",
            Severity.ERROR,
            (SubjectKind.SERVER, server_id),
            f"{server_id} is selected {n} times (waves {', '.join(waves[server_id])})",
            source_server_id=server_id,
        )
        for server_id, n in counts.items()
        if n > 1
    ]


def _registry() -> list[Check]:
    from drorch.services import launch_checks
    from drorch.services import readiness_drs as drs

    return [
        Check("plan", check_plan_structure),
        Check("plan-running", check_plan_running, in_transaction=True),
        Check("server-busy", check_servers_busy, in_transaction=True),
        Check("replication", drs.check_replication, overridable=True),
        Check("quota", drs.check_quota, live=True),
        Check("accounts", drs.check_accounts, live=True),
        Check("groups", check_groups_resolve),
        Check("launch-settings", launch_checks.check_launch, live=True),
    ]


# Order matters only for reading: findings are reported in registry order.
CHECKS: list[Check] = _registry()


def _action_checks() -> list[Check]:
    from drorch.services.action_checks import check_action_accounts, check_action_targets

    return [
        Check("actions", check_action_accounts),
        Check("action-targets", check_action_targets, live=True),
    ]


CHECKS.extend(_action_checks())  # actions' accounts and targets (services/action_checks.py)
