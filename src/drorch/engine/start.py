"""Starting an execution: snapshot the plan and build the run state.

The checks a start runs first are the readiness checks (services/readiness_checks.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from drorch.domain.actions import (
    Action,
    action_scope,
    check_actions,
    checked_params,
    drill_behaviour,
)
from drorch.domain.executions import (
    Execution,
    ExecutionType,
    ServerRun,
    Snapshot,
    SnapshotServer,
    StepRun,
    WaveRun,
)
from drorch.domain.groups import ProtectionGroup
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import (
    CleanupAfter,
    RecoveryPlan,
    Wave,
    check_waves,
    effective_dependencies,
)
from drorch.domain.statuses import CleanupStatus
from drorch.errors import ValidationError
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


def cleanup_hold(
    type: ExecutionType, plan: RecoveryPlan, requested: CleanupAfter | None
) -> float | None:
    """A drill's cleanup hold in minutes: the start's, else the plan's; None for `keep`."""
    if type != "DRILL":
        return None
    chosen = plan.cleanup_after_minutes if requested is None else requested
    return None if chosen == "keep" else float(chosen)


def build_execution(
    *,
    execution_id: str,
    type: ExecutionType,
    snap: Snapshot,
    actor: str,
    now: datetime,
    cleanup_after_minutes: float | None = None,
) -> Execution:
    """A PENDING execution with one WaveRun per selected wave.

    `cleanup_after_minutes` is a drill's resolved hold (`cleanup_hold`); None keeps its
    instances until an operator starts the cleanup.
    """
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
                steps=_step_runs(wave, snap, type),
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
        cleanup_after_minutes=cleanup_after_minutes if type == "DRILL" else None,
        started_by=actor,
        created_at=now,
        updated_at=now,
    )


def _step_runs(wave: Wave, snap: Snapshot, type: ExecutionType) -> list[StepRun]:
    """The wave's actions as steps: params checked, account and drill behaviour resolved."""
    scopes = {g.id: (g.account_id, g.region) for g in snap.groups}
    return [_step_run(a, action_scope(a, wave, scopes), type) for a in wave.actions]


def _step_run(action: Action, scope: tuple[str, str] | None, type: ExecutionType) -> StepRun:
    return StepRun(
        name=action.name,
        type=action.type,
        phase=action.phase.value,
        params=checked_params(action),
        account_id=scope[0] if scope else None,
        region=scope[1] if scope else None,
        on_failure=action.on_failure.value,
        in_drill=drill_behaviour(action).value if type == "DRILL" else "run",
        timeout_minutes=action.timeout_minutes,
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
        + check_actions(plan.waves, {g.id: (g.account_id, g.region) for g in groups.values()})
    ]
    if reasons:
        return Snapshot(plan=plan, groups=[], servers=[], selected_waves=list(selected)), reasons
    chosen = {g for w in plan.waves if w.name in selected for g in w.protection_group_ids}
    members = {g: uow.groups.members(g) for g in groups if g in chosen}
    inventory = uow.servers.get_many(s for ids in members.values() for s in ids)
    return snapshot(plan, selected, groups, members, inventory), reasons
