"""Starting an execution: snapshot the plan, run the preflight checks, build the run state."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from drorch.domain.executions import (
    CleanupStatus,
    Execution,
    ExecutionType,
    ServerRun,
    Snapshot,
    SnapshotServer,
    WaveRun,
)
from drorch.domain.groups import ProtectionGroup
from drorch.domain.inventory import HEALTHY_REPLICATION, SourceServer
from drorch.domain.plans import RecoveryPlan, check_waves, effective_dependencies
from drorch.engine import quotas
from drorch.engine.retrying import ReadRetry, Tries, retry_throttled
from drorch.errors import DrsError, DrsThrottlingError, ValidationError
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway, DrsJob, Scope
from drorch.ports.store import UnitOfWork

Reason = dict[str, Any]


def selected_waves(plan: RecoveryPlan, waves: Sequence[str] | None) -> list[str]:
    """The wave names to run (all by default); unknown names are a ValidationError."""
    names = [w.name for w in plan.waves]
    if not waves:
        return names
    unknown = [w for w in waves if w not in names]
    if unknown:
        errors = [{"path": "waves", "message": f"plan has no wave {w!r}"} for w in unknown]
        raise ValidationError(f"unknown wave(s): {', '.join(unknown)}", errors)
    return [n for n in names if n in set(waves)]


def restricted_dependencies(plan: RecoveryPlan, selected: Sequence[str]) -> dict[str, list[str]]:
    """Dependencies among the selected waves: unselected waves are looked through."""
    deps = effective_dependencies(plan.waves)
    chosen = set(selected)

    def through(name: str, seen: set[str]) -> set[str]:
        found: set[str] = set()
        for dep in deps.get(name, []):
            if dep in seen:
                continue
            seen.add(dep)
            found |= {dep} if dep in chosen else through(dep, seen)
        return found

    return {name: sorted(through(name, set())) for name in selected}


def snapshot(
    plan: RecoveryPlan,
    selected: Sequence[str],
    groups: Mapping[str, ProtectionGroup],
    members: Mapping[str, Sequence[str]],
    inventory: Mapping[str, SourceServer],
) -> Snapshot:
    """The frozen description of what the execution runs."""
    servers = []
    for wave in plan.waves:
        if wave.name not in selected:
            continue
        for group_id in wave.protection_group_ids:
            group = groups[group_id]
            for server_id in members.get(group_id, []):
                known = inventory.get(server_id)
                servers.append(
                    SnapshotServer(
                        source_server_id=server_id,
                        account_id=group.account_id,
                        region=group.region,
                        group_id=group_id,
                        wave=wave.name,
                        hostname=known.hostname if known else "",
                        optional=group.is_optional(server_id),
                        replication_state=known.replication_state if known else "UNKNOWN",
                    )
                )
    used = [groups[g] for w in plan.waves if w.name in selected for g in w.protection_group_ids]
    return Snapshot(plan=plan, groups=used, servers=servers, selected_waves=list(selected))


def build_execution(
    *, execution_id: str, type: ExecutionType, snap: Snapshot, actor: str, now: datetime
) -> Execution:
    """A PENDING execution with one WaveRun per selected wave."""
    deps = restricted_dependencies(snap.plan, snap.selected_waves)
    waves = []
    for wave in snap.plan.waves:
        if wave.name not in snap.selected_waves:
            continue
        runs = [_server_run(s) for s in snap.servers if s.wave == wave.name]
        waves.append(
            WaveRun(
                name=wave.name,
                depends_on=deps[wave.name],
                pause_before=wave.pause_before,
                servers=runs,
            )
        )
    return Execution(
        id=execution_id,
        plan_id=snap.plan.id,
        plan_name=snap.plan.name,
        type=type,
        cleanup_status=(
            CleanupStatus.NOT_STARTED if type == "DRILL" else CleanupStatus.NOT_APPLICABLE
        ),
        snapshot=snap,
        waves=waves,
        started_by=actor,
        created_at=now,
        updated_at=now,
    )


def _server_run(s: SnapshotServer) -> ServerRun:
    return ServerRun(
        source_server_id=s.source_server_id,
        account_id=s.account_id,
        region=s.region,
        group_id=s.group_id,
        hostname=s.hostname,
        optional=s.optional,
    )


def load_snapshot(
    uow: UnitOfWork, plan: RecoveryPlan, selected: Sequence[str]
) -> tuple[Snapshot, list[Reason]]:
    """Read the plan's groups and servers and snapshot them; also the plan's own problems."""
    groups = uow.groups.get_many(g for w in plan.waves for g in w.protection_group_ids)
    reasons: list[Reason] = [
        {"reason": "plan-invalid", "path": p.path, "message": p.message}
        for p in check_waves(plan.waves, {g.id: g.name for g in groups.values()})
    ]
    if reasons:
        return Snapshot(plan=plan, groups=[], servers=[], selected_waves=list(selected)), reasons
    chosen = {g for w in plan.waves if w.name in selected for g in w.protection_group_ids}
    members = {g: uow.groups.members(g) for g in groups if g in chosen}
    inventory = uow.servers.get_many(s for ids in members.values() for s in ids)
    return snapshot(plan, selected, groups, members, inventory), reasons


@dataclass
class Findings:
    """What a preflight check found: reasons that block the start, warnings that do not."""

    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)


def server_findings(snap: Snapshot, busy: Mapping[str, str], allow_unhealthy: bool) -> Findings:
    """Servers in another active execution block; unhealthy replication blocks unless allowed."""
    found = Findings()
    for server in snap.servers:
        holder = busy.get(server.source_server_id)
        if holder is not None:
            found.reasons.append(
                {
                    "reason": "server-busy",
                    "source_server_id": server.source_server_id,
                    "execution_id": holder,
                    "message": f"{server.source_server_id} is in active execution {holder}",
                }
            )
        elif server.replication_state not in HEALTHY_REPLICATION:
            (found.warnings if allow_unhealthy else found.reasons).append(
                _unhealthy(server, allow_unhealthy)
            )
    return found


def _unhealthy(server: SnapshotServer, allowed: bool) -> Reason:
    # The same finding either way; the message says whether allow_unhealthy accepted it.
    hint = "accepted by allow_unhealthy" if allowed else "start with allow_unhealthy to override"
    return {
        "reason": "replication-unhealthy",
        "source_server_id": server.source_server_id,
        "replication_state": server.replication_state,
        "message": f"{server.source_server_id} replication is {server.replication_state} ({hint})",
    }


def wave_warnings(snap: Snapshot) -> list[Reason]:
    """Selected waves that resolve to no server: they would complete at once, launching nothing."""
    filled = {s.wave for s in snap.servers}
    return [
        {"reason": "wave-empty", "wave": name, "message": f"wave {name!r} has no servers"}
        for name in snap.selected_waves
        if name not in filled
    ]


def quota_findings(
    snap: Snapshot,
    drs: DrsGateway | None,
    uow: UnitOfWork,
    clock: Clock,
    limits: quotas.Limits,
    *,
    drill: bool = True,
    retry: ReadRetry | None = None,
    rng: random.Random | None = None,
) -> Findings:
    """DRS not configured, failing or throttling; scopes with no job slot or server room.

    A throttled DescribeJobs is tried again (backoff, jitter, Retry-After) within `retry`'s
    bound before the scope counts as throttled. A full scope blocks a drill; a RECOVERY
    starts anyway (it gets capacity before drills), so for a recovery the same finding is
    only a warning that it will wait.
    """
    if drs is None:
        return Findings(
            [{"reason": "drs-not-configured", "message": "no DRS endpoint is configured"}]
        )
    found = Findings()
    reader = _Reader(clock, retry or ReadRetry(), rng or random.Random())
    now = clock.now()
    for account, region in sorted({(s.account_id, s.region) for s in snap.servers}):
        _check_scope(found, drs, Scope(account, region), uow, now, limits, drill, reader)
    return found


@dataclass(frozen=True)
class _Reader:
    """How the preflight waits out throttled DRS reads."""

    clock: Clock
    retry: ReadRetry
    rng: random.Random

    def jobs(self, drs: DrsGateway, scope: Scope, since: datetime, tries: Tries) -> list[DrsJob]:
        """Jobs of the scope created since `since`, retrying throttled calls."""
        client = drs.client(scope)
        return retry_throttled(
            lambda: client.describe_jobs(from_date=since),
            clock=self.clock,
            policy=self.retry,
            rng=self.rng,
            tries=tries,
        )


def _check_scope(
    found: Findings,
    drs: DrsGateway,
    scope: Scope,
    uow: UnitOfWork,
    now: datetime,
    limits: quotas.Limits,
    drill: bool,
    reader: _Reader,
) -> None:
    """Add what one account and Region's DRS usage means for the start to `found`."""
    where = f"{scope.account_id}/{scope.region}"
    tries = Tries()
    try:
        jobs = reader.jobs(drs, scope, now - timedelta(days=7), tries)
    except DrsThrottlingError:
        found.reasons.append(_throttled(where, tries))
        return
    except DrsError as exc:
        found.reasons.append({"reason": "drs-error", "scope": where, "message": exc.detail})
        return
    use = quotas.usage(jobs, uow.executions.open_intents(scope.account_id, scope.region))
    if quotas.fit(["-"], use, limits):
        return
    full = f"{where}: {use.jobs} active jobs, {use.servers} servers in them"
    if drill:
        found.reasons.append({"reason": "no-quota-headroom", "scope": where, "message": full})
    else:
        wait = f"{full} (the recovery waits for capacity, ahead of drills)"
        found.warnings.append({"reason": "no-quota-headroom", "scope": where, "message": wait})


def _throttled(where: str, tries: Tries) -> Reason:
    """The finding for a scope whose DescribeJobs DRS kept throttling."""
    after = math.ceil(tries.retry_after) if tries.retry_after else None
    hint = f"try again in {after} s" if after else "try again shortly"
    found: Reason = {
        "reason": "drs-throttled",
        "scope": where,
        "message": f"DRS throttled DescribeJobs in {where} "
        f"({tries.calls} tries over {tries.waited:.1f} s, ThrottlingException); {hint}",
    }
    if after:
        found["retry_after"] = after
    return found
