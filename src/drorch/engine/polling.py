"""Adaptive polling (pure): when to look at an execution again.

For each running job the engine aims at its expected end: it looks rarely while the end
is far (at most `slow_poll` apart) and every `fast_poll` once the end is near. Once some
servers of a job have finished, the gap shrinks with the number still launching. A job
running late is looked at less and less often (a stalled job causes no hot loop). The
expected duration is learned from this execution's completed jobs; before any has
completed, the gap is a quarter of the job's age, so a short job is seen soon after it
ends and a long one costs few calls. A job DRS has finished whose results (instances,
failure reasons) drorch still has to read is looked at again soon, but never before its
scope's backoff after throttling has run out.

Each job's look is its own (`job_looks`): a job read in this pass gets a new one, a job not
read keeps the one it had (engine/looks.py decides which jobs a pass reads).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from drorch.domain.executions import Batch, Execution, scope_key
from drorch.engine import quiet
from drorch.engine.cleanup import cleanup_candidates
from drorch.engine.config import EngineConfig
from drorch.engine.looks import Look, unchanged_gap
from drorch.engine.steps.due import step_looks
from drorch.engine.steps.phases import servers_released
from drorch.engine.working import PENDING, ServerIndex, has_status, scopes_with

UNKNOWN_FRACTION = 0.25
LATE_FRACTION = 0.1
PER_SERVER = 0.5


def next_look(
    ex: Execution, now: datetime, config: EngineConfig, jobs: Mapping[str, Look] | None = None
) -> datetime | None:
    """The next due time, or None when the engine has nothing left to do.

    `jobs` are the open jobs' own looks (`job_looks`); without them every job's is new.
    """
    if not ex.needs_engine():
        return None
    if ex.status == "PENDING":
        return now
    if jobs is None:
        jobs = job_looks(ex, now, config)
    looks = [_not_early(ex, b, jobs[b.batch_id].at) for b in ex.open_batches()]
    looks += [_work_look(ex, key, now, config) for key in work_scopes(ex)]
    looks += step_looks(ex, now)  # step polls, waits, timeouts and undos
    if not looks and ex.cleanup_due_at is not None:
        return max(ex.cleanup_due_at, now)  # an ended drill's hold: look when it runs out
    if not looks:
        return now + timedelta(seconds=config.idle_poll)
    soonest: datetime = min(looks)
    return max(soonest, now)


def job_looks(
    ex: Execution,
    now: datetime,
    config: EngineConfig,
    kept: Mapping[str, Look] | None = None,
    previous: Mapping[str, Look] | None = None,
) -> dict[str, Look]:
    """Each open job's next look: the one `kept` holds for it, else a new one from now.

    `previous` are the jobs' last looks (also those read now): a job read unchanged since
    then backs off (looks.unchanged_gap), unless it is the last job of its wave.
    """
    statuses = ServerIndex(ex)  # read-only lookups of the few servers in open jobs
    looks: dict[str, Look] = {}
    open_batches = ex.open_batches()
    last_jobs = wave_last_jobs(ex, open_batches)
    for batch in open_batches:
        look = kept.get(batch.batch_id) if kept and batch.job_id else None
        if look is None:
            left = _launching(ex, batch, statuses)
            state = _state(batch, left)
            gap = _batch_gap(ex, batch, left, now, config)
            if batch.batch_id not in last_jobs:
                last = previous.get(batch.batch_id) if previous else None
                gap = unchanged_gap(gap, last, state, config)
            look = Look(at=now + timedelta(seconds=gap), planned=now, state=state)
        looks[batch.batch_id] = look
    return looks


def wave_last_jobs(ex: Execution, open_batches: list[Batch]) -> set[str]:
    """Batch ids of LAUNCH jobs whose end ends their wave's servers: no other job of the wave
    is open and none of its servers waits to be launched.

    Such a job is never backed off for reading unchanged: the next wave starts when it ends,
    so seeing its end late is a wave transition that late (a back-off elsewhere costs nothing
    while another job of the wave is still running).
    """
    per_wave: dict[str | None, list[str]] = {}
    for batch in open_batches:
        if batch.kind == "LAUNCH":
            per_wave.setdefault(batch.wave, []).append(batch.batch_id)
    found: set[str] = set()
    for wave in ex.waves:
        ids = per_wave.get(wave.name, [])
        if len(ids) == 1 and not has_status(wave.servers, PENDING):
            found.add(ids[0])
    return found


def _launching(ex: Execution, batch: Batch, statuses: ServerIndex) -> int:
    """Servers of a LAUNCH job still launching (0 for other jobs)."""
    if batch.kind != "LAUNCH":
        return 0
    known = quiet.launching(ex, batch)  # a remembered fold over these very servers
    if known is not None:
        return known
    return statuses.count(batch.source_server_ids, "LAUNCHING")


def _state(batch: Batch, left: int) -> tuple[object, ...]:
    """What a read of the job can change that its gap depends on (empty: not backed off)."""
    if batch.state != "ACTIVE" or batch.job_status == "COMPLETED":
        return ()  # reconciling, or only results left to read: the policy's gap as it is
    return (batch.job_status, left)


def _work_look(ex: Execution, key: str, now: datetime, config: EngineConfig) -> datetime:
    retry = ex.retries.get(key)
    if retry and retry.not_before and retry.not_before > now:
        return retry.not_before  # a scope backing off is not called early
    gap = config.capacity_poll if key in ex.waiting_scopes else config.fast_poll
    return now + timedelta(seconds=gap)


def _not_early(ex: Execution, batch: Batch, look: datetime) -> datetime:
    """A look at a job, moved past its scope's backoff (a throttled scope is not called early)."""
    retry = ex.retries.get(scope_key(batch.account_id, batch.region))
    if retry and retry.not_before and retry.not_before > look:
        return retry.not_before
    return look


def pending_scopes(ex: Execution) -> set[str]:
    """Scopes where a RUNNING wave has PENDING servers (while the execution runs or pauses)."""
    if ex.status not in ("RUNNING", "PAUSED"):
        return set()
    pairs: set[tuple[str, str]] = set()
    for wave in ex.waves:
        if wave.status == "RUNNING" and servers_released(wave):
            pairs |= scopes_with(wave.servers, "PENDING")  # from the tally: no server walk
    return {scope_key(account, region) for account, region in pairs}


def work_scopes(ex: Execution) -> set[str]:
    """Scopes with servers to launch or terminate right now."""
    found = pending_scopes(ex)
    launches_open = any(b.kind == "LAUNCH" for b in ex.open_batches())
    if ex.cleanup_status == "IN_PROGRESS" and not launches_open:
        found |= {scope_key(s.account_id, s.region) for s in cleanup_candidates(ex)}
    return found


def _batch_gap(
    ex: Execution, batch: Batch, launching: int, now: datetime, config: EngineConfig
) -> float:
    if batch.state == "INTENDED" or not batch.started_at:
        return config.reconcile_poll
    if batch.job_status == "COMPLETED":
        return config.fast_poll  # only its results are left to read
    left = launching if 0 < launching < len(batch.source_server_ids) else 0
    if left:
        # Servers of the job have started to finish: the fewer left, the sooner it ends.
        return _clamp(config.fast_poll * left * PER_SERVER, config)
    age = max((now - batch.started_at).total_seconds(), 0.0)
    expected = ex.expected_job_seconds
    if expected is None:
        return _clamp(age * UNKNOWN_FRACTION, config)
    remaining = expected - age
    near = expected * config.near_end_fraction
    if remaining > near:
        return _clamp(remaining - near, config)
    if remaining > -near:
        return config.fast_poll
    return _clamp(-remaining * LATE_FRACTION, config)


def _clamp(seconds: float, config: EngineConfig) -> float:
    return min(max(seconds, config.fast_poll), config.slow_poll)
