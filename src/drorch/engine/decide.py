"""Decide (pure): which DRS jobs to start now, and when to look at the execution again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drorch.domain.executions import Execution, ServerRun, scope_key
from drorch.engine.cleanup import cleanup_candidates
from drorch.engine.config import EngineConfig
from drorch.engine.observe import Observation
from drorch.engine.outcomes import Wish
from drorch.engine.quotas import chunks
from drorch.engine.steps.phases import servers_released
from drorch.engine.working import PENDING, has_status


@dataclass(frozen=True)
class Decision:
    """Jobs to start, in priority order (when to look again is polling.next_look's)."""

    wishes: list[Wish]


def decide(
    ex: Execution, obs: Observation, config: EngineConfig, wishes: list[Wish] | None = None
) -> Decision:
    """Wishes for scopes listed in this observation and not backing off.

    `wishes` are `all_wishes(ex, config)` when the caller has them already.
    """
    ready = {k for k, v in obs.scopes.items() if v.listed and not _backing_off(ex, k, obs.now)}
    chosen = all_wishes(ex, config) if wishes is None else wishes
    return Decision([w for w in chosen if _key(w) in ready])


def all_wishes(ex: Execution, config: EngineConfig) -> list[Wish]:
    """Every job decide() would start if its scope were listed and not backing off."""
    return launch_wishes(ex, config) + terminate_wishes(ex, config)


def scopes_of(wishes: list[Wish]) -> set[str]:
    """The scopes of some wishes."""
    return {_key(w) for w in wishes}


def launch_wishes(ex: Execution, config: EngineConfig) -> list[Wish]:
    """Chunks of at most 100 PENDING servers of RUNNING waves, per scope, in wave order."""
    if ex.status not in ("RUNNING", "PAUSED"):
        return []
    wishes = []
    for wave in ex.waves:
        if wave.status != "RUNNING" or not servers_released(wave):
            continue
        if not has_status(wave.servers, PENDING):
            continue  # the tally says so: no walk over a running wave's servers
        by_scope: dict[tuple[str, str], list[str]] = {}
        for server in wave.servers:
            if server.status == "PENDING":
                by_scope.setdefault((server.account_id, server.region), []).append(
                    server.source_server_id
                )
        for (account, region), ids in sorted(by_scope.items()):
            for chunk in chunks(ids, config.limits.servers_per_job):
                wishes.append(Wish("LAUNCH", account, region, tuple(chunk), wave=wave.name))
    return wishes


def terminate_wishes(ex: Execution, config: EngineConfig) -> list[Wish]:
    """TERMINATE chunks for a drill cleanup, once no launch job of the drill is open."""
    if ex.cleanup_status != "IN_PROGRESS" or any(b.kind == "LAUNCH" for b in ex.open_batches()):
        return []
    by_scope: dict[tuple[str, str], list[ServerRun]] = {}
    for server in cleanup_candidates(ex):
        by_scope.setdefault((server.account_id, server.region), []).append(server)
    size = min(config.limits.servers_per_job, config.limits.terminate_array)
    wishes = []
    for (account, region), servers in sorted(by_scope.items()):
        for chunk in chunks([s.source_server_id for s in servers], size):
            instances = {s.source_server_id: s.recovery_instance_id or "" for s in servers}
            wishes.append(
                Wish(
                    "TERMINATE",
                    account,
                    region,
                    tuple(chunk),
                    recovery_instance_ids=tuple(instances[s] for s in chunk),
                )
            )
    return wishes


def _backing_off(ex: Execution, key: str, now: datetime) -> bool:
    retry = ex.retries.get(key)
    return bool(retry and retry.not_before and retry.not_before > now)


def _key(wish: Wish) -> str:
    return scope_key(wish.account_id, wish.region)
