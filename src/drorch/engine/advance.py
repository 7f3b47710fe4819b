"""advance(execution_id) = observe -> apply -> decide -> act -> persist, under a lease.

The lease is a conditional write in the store with an expiry; every write of an advance
(intents, the execution, events, the next due time) first checks that the lease is still
held, so a worker that stalled past its lease changes nothing.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drorch.domain.executions import Event, Execution, Intent, scope_key
from drorch.engine.act import Actor, LeaseLost, act
from drorch.engine.apply import Applied, apply, apply_commands, apply_faults, apply_outcomes
from drorch.engine.config import EngineConfig
from drorch.engine.decide import decide, wanted_scopes
from drorch.engine.launch_step import LaunchSettingsStep
from drorch.engine.observe import list_more, observe
from drorch.engine.polling import next_look
from drorch.engine.reconcile import close_intents
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.sessions import session_purpose
from drorch.ports.store import Store

log = logging.getLogger(__name__)


@dataclass
class Advanced:
    """What one advance did: the stored result and when to look again (None: finished)."""

    execution_id: str
    status: str = "busy"
    next_look_at: datetime | None = None
    events: list[Event] = field(default_factory=list)


@dataclass
class Engine:
    """The engine bound to its ports; `owner` names the worker in leases."""

    store: Store
    drs: DrsGateway
    clock: Clock
    owner: str
    config: EngineConfig = field(default_factory=EngineConfig)
    rng: random.Random = field(default_factory=random.Random)
    # Applies each server's launch settings before its batch (None: tests of the core alone).
    settings: LaunchSettingsStep | None = None

    def advance(self, execution_id: str, *, claimed: bool = False) -> Advanced:
        """Advance one execution; returns status "busy" when another worker holds it."""
        if not claimed and not self._claim(execution_id):
            return Advanced(execution_id)
        try:
            with session_purpose(f"ex-{execution_id}"):  # CloudTrail names the execution
                return self._advance(execution_id)
        except LeaseLost:
            return Advanced(execution_id, status="lease-lost")
        except Exception as exc:
            # No error stops the runner: look again soon, keep the previous stored state.
            log.exception("advancing %s failed", execution_id)
            retry = self.clock.now() + timedelta(seconds=self.config.error_retry)
            self._release(execution_id, retry, exc)
            return Advanced(execution_id, status="error", next_look_at=retry)

    def _claim(self, execution_id: str) -> bool:
        now = self.clock.now()
        until = now + timedelta(seconds=self.config.lease_seconds)
        with self.store.transaction() as uow:
            return uow.executions.claim(execution_id, owner=self.owner, now=now, lease_until=until)

    def _advance(self, execution_id: str) -> Advanced:
        with self.store.read() as uow:
            ex = uow.executions.get(execution_id)
            commands = uow.executions.commands(execution_id)
            intents = uow.executions.intents(execution_id)
        if ex is None:
            self._release(execution_id, None)
            return Advanced(execution_id, status="missing")
        obs = observe(ex, intents, self.drs, self.clock.now(), self.config)
        first = apply(ex, obs, commands, intents, self.config)
        self._record_intents(ex.id, first.intent_updates)  # reconciled before capacity math
        # A wave that just started needs its scope's job listing in this same advance.
        wanted = wanted_scopes(first.execution, self.config)
        faults = list_more(first.execution, wanted, obs, self.drs, self.config)
        if faults:
            late = apply_faults(first.execution, faults, obs.now, self.config)
            first = Applied(late.execution, first.events + late.events, first.intent_updates)
        decision = decide(first.execution, obs, self.config)
        actor = Actor(
            self.store, self.drs, self.clock, self.owner, self.config, self.rng, self.settings
        )
        outcomes = act(first.execution, decision.wishes, obs, actor)
        second = apply_outcomes(first.execution, outcomes, self.clock.now(), self.config)
        return self._persist(ex, first, second, intents, commands[-1].seq if commands else 0)

    def _persist(
        self,
        before: Execution,
        first: Applied,
        second: Applied,
        intents: list[Intent],
        last_command: int,
    ) -> Advanced:
        ex = second.execution
        now = self.clock.now()
        due = next_look(ex, now, self.config)
        ex.next_look_at = due
        events = first.events + second.events
        updates = close_intents(ex, _updated(intents, first))
        with self.store.transaction() as uow:
            repo = uow.executions
            if not repo.holds(ex.id, owner=self.owner, now=now):
                raise LeaseLost(ex.id)
            if events or ex != before.model_copy(update={"next_look_at": due}):
                ex.version = before.version + 1
                ex.updated_at = now
                repo.save(ex, expected_version=before.version)
                repo.append_events(ex.id, events)
            for intent in updates:
                repo.update_intent(intent)
            if last_command:
                repo.drop_commands(ex.id, last_command)
            for key in set(before.waiting_scopes) - set(ex.waiting_scopes):
                account, region = key.split("/", 1)
                repo.set_waiting(ex.id, account, region, False)
            for key in _freed_scopes(before, ex):
                account, region = key.split("/", 1)
                for other in repo.waiting(account, region) - {ex.id}:
                    repo.schedule(other, now)  # capacity came free: they look at once
            repo.release(ex.id, owner=self.owner, due_at=due)
        return Advanced(ex.id, status=ex.status, next_look_at=due, events=events)

    def _record_intents(self, execution_id: str, updates: list[Intent]) -> None:
        if not updates:
            return
        with self.store.transaction() as uow:
            if not uow.executions.holds(execution_id, owner=self.owner, now=self.clock.now()):
                raise LeaseLost(execution_id)
            for intent in updates:
                uow.executions.update_intent(intent)

    def _release(
        self, execution_id: str, due: datetime | None, error: Exception | None = None
    ) -> None:
        with self.store.transaction() as uow:
            if error is not None and uow.executions.get(execution_id) is not None:
                text = f"engine error, retrying at {due}: {type(error).__name__}: {error}"
                event = Event(
                    at=self.clock.now(), actor="drorch", kind="engine.error", message=text
                )
                uow.executions.append_events(execution_id, [event])
            uow.executions.release(execution_id, owner=self.owner, due_at=due)


def _freed_scopes(before: Execution, after: Execution) -> set[str]:
    """Scopes where one of the execution's jobs ended in this advance."""
    was_open = {b.batch_id for b in before.open_batches()}
    return {
        scope_key(b.account_id, b.region)
        for b in after.batches
        if b.batch_id in was_open and b.state not in ("INTENDED", "ACTIVE")
    }


def _updated(intents: list[Intent], first: Applied) -> list[Intent]:
    changed = {(i.batch_id, i.attempt): i for i in first.intent_updates}
    return [changed.get((i.batch_id, i.attempt), i) for i in intents]


def fold_commands_now(
    *, store: Store, clock: Clock, execution_id: str, owner: str, config: EngineConfig
) -> None:
    """Apply queued operator commands at once when no worker is advancing the execution."""
    now = clock.now()
    until = now + timedelta(seconds=config.lease_seconds)
    with store.transaction() as uow:
        repo = uow.executions
        ex = repo.get(execution_id)
        if ex is None or not repo.claim(execution_id, owner=owner, now=now, lease_until=until):
            return
        commands = repo.commands(execution_id)
        applied = apply_commands(ex, commands, now)
        new = applied.execution
        new.version, new.updated_at = ex.version + 1, now
        repo.save(new, expected_version=ex.version)
        repo.append_events(ex.id, applied.events)
        if commands:
            repo.drop_commands(ex.id, commands[-1].seq)
        # Due now, so the runner acts on the change (e.g. starts a cleanup) right away.
        repo.release(ex.id, owner=owner, due_at=now)
