"""Reconcile (pure): make the execution agree with the intents recorded before DRS calls.

After a crash the stored execution may lag behind its intents. An intent whose batch is
missing is adopted; an OPEN intent (call outcome unknown) is matched against the jobs
DescribeJobs listed, by the execution and batch tags; only when no job matches after a
grace period is the batch declared LOST and its servers queued again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from drorch.domain.executions import (
    TAG_BATCH,
    TAG_EXECUTION,
    Batch,
    Execution,
    Intent,
    IntentState,
    scope_key,
)
from drorch.domain.statuses import BatchState
from drorch.engine import rules as r
from drorch.engine.jobs import server_index
from drorch.engine.observe import Observation
from drorch.engine.rules import Changes
from drorch.engine.working import ServerIndex
from drorch.ports.drs import DrsJob

CLOCK_SKEW = timedelta(seconds=120)


def reconcile(
    ex: Execution, intents: list[Intent], obs: Observation, changes: Changes, grace: float
) -> list[Intent]:
    """Adopt and match intents; returns the intents whose stored state must change."""
    updates: list[Intent] = []
    index = server_index(ex)
    for intent in intents:
        batch = _batch_of(ex, intent, index, changes)
        if batch is None or batch.state != "INTENDED":
            continue
        if intent.state in ("STARTED", "ENDED") and intent.job_id:
            _activate(batch, intent.job_id, changes.now)
        elif intent.state == "FAILED":
            lose(batch, index, changes, "DRS refused the call")
        else:
            updates += _match(ex, batch, intent, obs, index, changes, grace)
    return updates


def _batch_of(ex: Execution, intent: Intent, index: ServerIndex, changes: Changes) -> Batch | None:
    for batch in ex.batches:
        if batch.batch_id == intent.batch_id:
            return batch
    if intent.state == "FAILED":
        return None
    batch = Batch(
        batch_id=intent.batch_id,
        kind=intent.kind,
        wave=_wave_of(ex, intent.source_server_ids),
        account_id=intent.account_id,
        region=intent.region,
        source_server_ids=list(intent.source_server_ids),
        created_at=intent.created_at,
        attempts=intent.attempt,
    )
    ex.batches.append(batch)
    if intent.kind == "LAUNCH":
        dispatch(batch, index, changes.now)
    changes.note("batch.adopted", f"batch {batch.batch_id} recovered from its intent")
    return batch


def _wave_of(ex: Execution, server_ids: list[str]) -> str | None:
    wanted = set(server_ids)
    for wave in ex.waves:
        if any(s.source_server_id in wanted for s in wave.servers):
            return wave.name
    return None


def _match(
    ex: Execution,
    batch: Batch,
    intent: Intent,
    obs: Observation,
    index: ServerIndex,
    changes: Changes,
    grace: float,
) -> list[Intent]:
    view = obs.scopes.get(scope_key(batch.account_id, batch.region))
    if view is None or not view.listed:
        return []
    job = next((j for j in view.jobs.values() if _is_job_of(ex.id, batch, intent, j)), None)
    if job is not None:
        _activate(batch, job.job_id, changes.now)
        changes.note("batch.reconciled", f"batch {batch.batch_id} is job {job.job_id}")
        return [intent.model_copy(update={"state": IntentState.STARTED, "job_id": job.job_id})]
    if (changes.now - intent.created_at).total_seconds() < grace:
        return []
    lose(batch, index, changes, "no DRS job carries its tags")
    return [intent.model_copy(update={"state": IntentState.FAILED})]


def _is_job_of(execution_id: str, batch: Batch, intent: Intent, job: DrsJob) -> bool:
    if batch.kind == "LAUNCH":
        tags = job.tags
        return tags.get(TAG_EXECUTION) == execution_id and tags.get(TAG_BATCH) == batch.batch_id
    # TerminateRecoveryInstances takes no tags: match by type, time and servers.
    if job.type != "TERMINATE" or job.creation_time is None:
        return False
    servers = {s.source_server_id for s in job.servers}
    return job.creation_time >= intent.created_at - CLOCK_SKEW and servers == set(
        batch.source_server_ids
    )


def _activate(batch: Batch, job_id: str, started_at: datetime) -> None:
    batch.state = BatchState.ACTIVE
    batch.job_id = job_id
    batch.started_at = batch.started_at or started_at


def dispatch(batch: Batch, index: ServerIndex, now: datetime) -> None:
    """Mark a LAUNCH batch's PENDING servers as launching in it."""
    for server_id in batch.source_server_ids:
        seen = index.peek(server_id)
        if seen is not None and r.DISPATCH.allows(seen.status):
            server = index[server_id]
            r.move_server(server, r.DISPATCH, now)
            server.batch_id = batch.batch_id
            server.job_id = batch.job_id


def lose(batch: Batch, index: ServerIndex, changes: Changes, why: str) -> None:
    """No job exists for the batch: its servers go back to PENDING to be started again."""
    batch.state = BatchState.LOST
    batch.last_error = why
    for server_id in batch.source_server_ids:
        seen = index.peek(server_id)
        if seen is not None and seen.batch_id == batch.batch_id:
            server = index[server_id]
            if r.REQUEUE.allows(server.status):
                r.move_server(server, r.REQUEUE, changes.now)
            server.batch_id = None
            server.job_id = None
    changes.note("batch.lost", f"batch {batch.batch_id}: {why}; its servers are queued again")


def close_intents(ex: Execution, intents: list[Intent]) -> list[Intent]:
    """Intents to mark ENDED or FAILED because their batch ended: frees their capacity."""
    states = {b.batch_id: b.state for b in ex.batches}
    updates = []
    for intent in intents:
        state = states.get(intent.batch_id)
        if state == "DONE" and intent.state != "ENDED":
            updates.append(intent.model_copy(update={"state": IntentState.ENDED}))
        elif state in ("LOST", "REJECTED") and intent.state in ("OPEN", "STARTED"):
            updates.append(intent.model_copy(update={"state": IntentState.FAILED}))
    return updates
