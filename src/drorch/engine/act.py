"""Act: start the wished DRS jobs idempotently, within quota, and report what happened.

For every wish: in one store transaction check that the lease is still ours, read the
scope's capacity version, compute its usage from DescribeJobs plus all open intents, trim
the batch to what fits and reserve the intent under that version (another worker's
reservation in between makes it fail and the wish is decided again); then call DRS with
tags naming the execution and batch; then record the job id. A crash between the steps
leaves an OPEN intent that the next advance reconciles before anything is issued again.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass

from drorch.domain.executions import (
    TAG_BATCH,
    TAG_EXECUTION,
    Execution,
    Intent,
    IntentState,
    scope_key,
)
from drorch.engine import quotas
from drorch.engine.config import EngineConfig
from drorch.engine.launch_step import OPERATION as SETTINGS_OP
from drorch.engine.launch_step import LaunchSettingsStep, SettingsFailed
from drorch.engine.observe import Observation, fault
from drorch.engine.outcomes import Deferred, Outcome, Refused, Started, Unknown, Wish
from drorch.errors import ConflictError, DrsError, DrsUnavailableError
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway, DrsJob, Scope
from drorch.ports.execution_store import LeaseLost
from drorch.ports.store import Store

RESERVE_TRIES = 5


@dataclass
class Actor:
    """What act() needs from the outside world."""

    store: Store
    drs: DrsGateway
    clock: Clock
    owner: str
    config: EngineConfig
    rng: random.Random
    settings: LaunchSettingsStep | None = None


def act(ex: Execution, wishes: list[Wish], obs: Observation, actor: Actor) -> list[Outcome]:
    """Run the wishes in order; a scope stops at its first deferral or refusal."""
    outcomes: list[Outcome] = []
    stopped: set[str] = set()
    for wish in wishes:
        key = scope_key(wish.account_id, wish.region)
        if key in stopped:
            continue
        outcome = _one(ex, wish, list(obs.view(key).jobs.values()), actor)
        outcomes.append(outcome)
        if not isinstance(outcome, Started):
            stopped.add(key)
    return outcomes


def _one(ex: Execution, wish: Wish, jobs: list[DrsJob], actor: Actor) -> Outcome:
    intent = _reserve(ex, wish, jobs, actor)
    if isinstance(intent, Deferred):
        return intent
    ids = tuple(intent.source_server_ids)
    try:
        if wish.kind == "LAUNCH" and actor.settings is not None:
            # Launch settings go in first; their intent is recorded on the launch intent.
            intent = actor.settings.run(ex, intent, actor)
    except SettingsFailed as failed:
        # Its launch settings as they ended (a record FAILED) are written with the state.
        with actor.store.transaction() as uow:
            uow.executions.update_intent(failed.intent.model_copy(update={"state": "FAILED"}))
        refusal = fault(SETTINGS_OP, failed.error)
        return Refused(wish, intent.batch_id, ids, refusal, actor.rng.random())
    try:
        job = _call(ex, wish, intent, actor)
    except DrsUnavailableError as exc:
        return Unknown(wish, intent.batch_id, ids, f"DRS did not answer: {exc.detail}")
    except DrsError as exc:
        _record(actor, intent.model_copy(update={"state": IntentState.FAILED}))
        return Refused(wish, intent.batch_id, ids, fault(_operation(wish), exc), actor.rng.random())
    _record(actor, intent.model_copy(update={"state": IntentState.STARTED, "job_id": job.job_id}))
    return Started(wish, intent.batch_id, ids, job)


def _reserve(ex: Execution, wish: Wish, jobs: list[DrsJob], actor: Actor) -> Intent | Deferred:
    # The store conditions a reservation on the scope's capacity version: a worker that
    # lost the race reads the new usage and decides again.
    for _ in range(RESERVE_TRIES):
        try:
            return _reserve_once(ex, wish, jobs, actor)
        except ConflictError:
            continue
    return Deferred(wish, "other workers kept reserving this account and Region's capacity")


def _reserve_once(ex: Execution, wish: Wish, jobs: list[DrsJob], actor: Actor) -> Intent | Deferred:
    now = actor.clock.now()
    with actor.store.transaction() as uow:
        repo = uow.executions
        if not repo.holds(ex.id, owner=actor.owner, now=now):
            raise LeaseLost(ex.id)
        version = repo.capacity_version(wish.account_id, wish.region)
        current = quotas.usage(jobs, repo.open_intents(wish.account_id, wish.region))
        ahead = repo.recovery_waiting(wish.account_id, wish.region) - {ex.id}
        ids = quotas.fit(
            wish.source_server_ids,
            current,
            actor.config.limits,
            yield_to_recovery=ex.type == "DRILL" and bool(ahead),
        )
        key = scope_key(wish.account_id, wish.region)
        if not ids or key in ex.waiting_scopes:
            # Drills yield to RECOVERY rows; finished jobs wake every waiting execution.
            repo.set_waiting(ex.id, wish.account_id, wish.region, not ids)
        if not ids:
            return Deferred(wish, _why(current, actor.config.limits, bool(ahead)))
        intent = Intent(
            execution_id=ex.id,
            batch_id=f"b-{secrets.token_hex(6)}",
            kind=wish.kind,
            execution_type=ex.type,
            account_id=wish.account_id,
            region=wish.region,
            source_server_ids=ids,
            created_at=now,
        )
        repo.reserve(intent, expected_version=version)
        return intent


def _why(current: quotas.Usage, limits: quotas.Limits, yielded: bool) -> str:
    if yielded:
        return "a RECOVERY in this account and Region goes first"
    if current.jobs >= limits.concurrent_jobs:
        return f"{current.jobs} jobs active (limit {limits.concurrent_jobs})"
    if current.servers >= limits.servers_in_active_jobs:
        return f"{current.servers} servers in active jobs (limit {limits.servers_in_active_jobs})"
    return "its servers are in other active jobs"


def _call(ex: Execution, wish: Wish, intent: Intent, actor: Actor) -> DrsJob:
    client = actor.drs.client(Scope(wish.account_id, wish.region))
    if wish.kind == "LAUNCH":
        tags = {TAG_EXECUTION: ex.id, TAG_BATCH: intent.batch_id}
        return client.start_recovery(
            source_server_ids=intent.source_server_ids, is_drill=ex.is_drill, tags=tags
        )
    ids = set(intent.source_server_ids)
    pairs = zip(wish.source_server_ids, wish.recovery_instance_ids, strict=False)
    return client.terminate_recovery_instances([ri for s, ri in pairs if s in ids])


def _operation(wish: Wish) -> str:
    return "StartRecovery" if wish.kind == "LAUNCH" else "TerminateRecoveryInstances"


def _record(actor: Actor, intent: Intent) -> None:
    """The call's outcome; launch settings the step recorded stay as they are."""
    with actor.store.transaction() as uow:
        uow.executions.update_intent_state(intent)
