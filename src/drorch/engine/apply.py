"""Apply (pure): fold operator commands, intents, observations and act outcomes into a copy.

Every function here returns a new Execution plus the events that describe the changes;
the input is never modified and nothing is read or written outside the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drorch.domain.executions import Batch, Command, Event, Execution, Intent, Retry, scope_key
from drorch.domain.statuses import BatchState, DrsJobStatus
from drorch.engine import rules as r
from drorch.engine.backoff import delay
from drorch.engine.config import EngineConfig
from drorch.engine.jobs import fold_jobs, server_index
from drorch.engine.observe import DrsFault, Observation
from drorch.engine.outcomes import Deferred, Outcome, Refused, Started, Unknown, Wish
from drorch.engine.reconcile import dispatch, reconcile
from drorch.engine.rules import Changes
from drorch.engine.settle import settle
from drorch.engine.steps import approval
from drorch.engine.unreachable import fail_unreachable
from drorch.engine.working import working_copy


@dataclass
class Applied:
    """The result of an apply step: the new execution, its events and intent updates."""

    execution: Execution
    events: list[Event] = field(default_factory=list)
    intent_updates: list[Intent] = field(default_factory=list)


def apply_commands(ex: Execution, commands: list[Command], now: datetime) -> Applied:
    """Fold queued operator commands (and settle) into a copy of the execution."""
    new = working_copy(ex)
    changes = Changes(now=now)
    for command in commands:
        _command(new, command, _changes_of(command, command.at, changes))
    settle(new, changes)
    return Applied(new, changes.events)


def apply(
    ex: Execution,
    obs: Observation,
    commands: list[Command],
    intents: list[Intent],
    config: EngineConfig,
) -> Applied:
    """Fold commands, reconcile intents and fold observed jobs, then settle statuses."""
    new = working_copy(ex)
    changes = Changes(now=obs.now)
    for command in commands:
        _command(new, command, _changes_of(command, obs.now, changes))
    updates = reconcile(new, intents, obs, changes, config.reconcile_grace)
    fold_jobs(new, obs, changes, config)
    for key, view in sorted(obs.scopes.items()):
        for fault in view.faults:
            _back_off(new, key, fault, 0.5, changes, config)
            if not fault.retryable:
                fail_unreachable(new, key, fault, changes)
    settle(new, changes)
    return Applied(new, changes.events, updates)


def apply_outcomes(
    ex: Execution, outcomes: list[Outcome], now: datetime, config: EngineConfig
) -> Applied:
    """Fold what act() did: started, deferred, refused or unknown DRS calls."""
    new = working_copy(ex)
    changes = Changes(now=now)
    waiting: set[str] = set()
    for outcome in outcomes:
        key = scope_key(outcome.wish.account_id, outcome.wish.region)
        if isinstance(outcome, Started):
            _started(new, outcome, changes)
            new.retries.pop(key, None)
        elif isinstance(outcome, Deferred):
            waiting.add(key)
            if key not in new.waiting_scopes:
                changes.note(
                    "capacity.waiting", f"waiting for DRS capacity in {key}: {outcome.reason}"
                )
        elif isinstance(outcome, Refused):
            _refused(new, outcome, key, changes, config)
        elif isinstance(outcome, Unknown):
            _unknown(new, outcome, changes)
    new.waiting_scopes = sorted(waiting)
    settle(new, changes)
    return Applied(new, changes.events)


def apply_faults(
    ex: Execution, faults: list[tuple[str, DrsFault]], now: datetime, config: EngineConfig
) -> Applied:
    """Back off the scopes whose late DescribeJobs failed, and put the errors on the timeline."""
    new = working_copy(ex)
    changes = Changes(now=now)
    for key, fault in faults:
        _back_off(new, key, fault, 0.5, changes, config)
    return Applied(new, changes.events)


def _changes_of(command: Command, now: datetime, changes: Changes) -> Changes:
    """Changes attributed to the operator who queued the command, carrying their comment."""
    return Changes(now=now, actor=command.actor, events=changes.events, comment=command.comment)


def _command(ex: Execution, command: Command, changes: Changes) -> None:
    action = command.action
    if action == "pause" and r.PAUSE.allows(ex.status):
        ex.paused_reason = f"paused by {command.actor}"
        r.move_execution(ex, r.PAUSE, changes, ex.paused_reason)
    elif action == "resume" and r.RESUME.allows(ex.status):
        for wave in ex.waves:
            wave.released = wave.released or wave.status == "HELD"
        ex.paused_reason = None
        r.move_execution(ex, r.RESUME, changes, f"resumed by {command.actor}")
    elif action == "cancel" and r.CANCEL.allows(ex.status):
        ex.terminate_on_cancel = ex.is_drill and command.terminate_instances
        r.move_execution(ex, r.CANCEL, changes, f"cancelled by {command.actor}")
    elif action == "terminate_instances" and _may_clean(ex):
        ex.cleanup_started_at = changes.now
        r.move_cleanup(ex, r.CLEANUP_START, changes, f"asked by {command.actor}")
    elif action in ("approve", "decline") and approval.decide(ex, command, changes):
        return
    else:
        changes.note("command.ignored", f"{action} does not apply to a {ex.status} execution")


def _may_clean(ex: Execution) -> bool:
    return ex.is_drill and ex.terminal and r.CLEANUP_START.allows(ex.cleanup_status)


def _started(ex: Execution, outcome: Started, changes: Changes) -> None:
    wish, job = outcome.wish, outcome.job
    batch = _new_batch(outcome.wish, outcome.batch_id, outcome.server_ids, changes.now)
    batch.state = BatchState.ACTIVE
    batch.job_id = job.job_id
    batch.job_status = DrsJobStatus(job.status)
    batch.started_at = changes.now  # engine time: polling and stall checks use our clock
    ex.batches.append(batch)
    if wish.kind == "LAUNCH":
        dispatch(batch, server_index(ex), changes.now)
    changes.note(
        "job.started",
        f"{wish.kind} job {job.job_id} started for {len(outcome.server_ids)} server(s)"
        + (f" of wave {wish.wave}" if wish.wave else ""),
        wave=wish.wave,
        job_id=job.job_id,
        batch_id=outcome.batch_id,
        servers=list(outcome.server_ids),
    )


def _new_batch(wish: Wish, batch_id: str, server_ids: tuple[str, ...], now: datetime) -> Batch:
    ids = set(server_ids)
    pairs = zip(wish.source_server_ids, wish.recovery_instance_ids, strict=False)
    return Batch(
        batch_id=batch_id,
        kind=wish.kind,
        wave=wish.wave,
        account_id=wish.account_id,
        region=wish.region,
        source_server_ids=list(server_ids),
        recovery_instance_ids=[ri for s, ri in pairs if s in ids],
        attempts=1,
        created_at=now,
    )


def _refused(
    ex: Execution, outcome: Refused, key: str, changes: Changes, config: EngineConfig
) -> None:
    if outcome.fault.retryable:
        _back_off(ex, key, outcome.fault, outcome.jitter, changes, config)
        return
    batch = _new_batch(outcome.wish, outcome.batch_id, outcome.server_ids, changes.now)
    batch.state = BatchState.REJECTED
    batch.last_error = f"{outcome.fault.code}: {outcome.fault.message}"
    ex.batches.append(batch)
    changes.note("drs.rejected", f"DRS refused {outcome.wish.kind}: {batch.last_error}")
    if outcome.wish.kind != "LAUNCH":
        return
    index = server_index(ex)
    for server_id in outcome.server_ids:
        server = index[server_id]
        if r.LAUNCH_FAILED.allows(server.status):
            server.error = batch.last_error
            r.move_server(server, r.LAUNCH_FAILED, changes.now)


def _unknown(ex: Execution, outcome: Unknown, changes: Changes) -> None:
    batch = _new_batch(outcome.wish, outcome.batch_id, outcome.server_ids, changes.now)
    batch.last_error = outcome.message
    ex.batches.append(batch)
    if outcome.wish.kind == "LAUNCH":
        dispatch(batch, server_index(ex), changes.now)
    changes.note("batch.unknown", f"batch {batch.batch_id}: {outcome.message}; reconciling")


def _back_off(
    ex: Execution, key: str, fault: DrsFault, jitter: float, changes: Changes, config: EngineConfig
) -> None:
    retry = ex.retries.get(key) or Retry()
    attempts = retry.attempts + 1
    wait = delay(
        attempts,
        base=config.backoff_base,
        cap=config.backoff_cap,
        jitter=jitter,
        retry_after=fault.retry_after,
    )
    not_before = changes.now + timedelta(seconds=wait)
    ex.retries[key] = Retry(attempts=attempts, not_before=not_before)
    changes.note(
        "drs.error",
        f"{fault.operation} in {key} failed ({fault.code}: {fault.message}); "
        f"next try in {wait:.1f}s",
        code=fault.code,
        operation=fault.operation,
        retry_in=round(wait, 3),
    )
