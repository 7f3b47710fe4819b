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

from drorch import logcontext
from drorch.domain.execution_records import changed_records
from drorch.domain.executions import Event, Execution, Intent, scope_key
from drorch.engine.act import Actor, act
from drorch.engine.apply import Applied, apply, apply_commands, apply_faults, apply_outcomes
from drorch.engine.config import EngineConfig
from drorch.engine.decide import all_wishes, decide, scopes_of
from drorch.engine.launch_step import LaunchSettingsStep
from drorch.engine.looks import LookPlan, jobs_due, kept_looks, read_jobs
from drorch.engine.observe import Observation, list_more, observe
from drorch.engine.polling import job_looks, next_look
from drorch.engine.reconcile import close_intents
from drorch.engine.steps.executors import ExecutorTable
from drorch.engine.steps.run import StepDriver
from drorch.engine.working import working_copy
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.execution_store import ExecutionRepository, LeaseLost
from drorch.ports.metrics import EngineObserver
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
    records: int = 0  # execution records (waves, servers, batches) the pass wrote


@dataclass
class Engine:
    """The engine bound to its ports; `owner` names the worker in leases."""

    store: Store
    drs: DrsGateway
    clock: Clock
    owner: str
    config: EngineConfig = field(default_factory=EngineConfig)
    rng: random.Random = field(default_factory=random.Random)
    # The last stored state of executions this worker advanced, by id: a pass re-reads the
    # whole execution only when the stored version moved (another worker, an operator).
    _known: dict[str, Execution] = field(default_factory=dict, repr=False)
    # Each kept execution's look plan (engine/looks.py): which of its jobs a pass reads.
    _plans: dict[str, LookPlan] = field(default_factory=dict, repr=False)
    observer: EngineObserver | None = None  # metrics: told of every stored advance
    # Applies each server's launch settings before its batch (None: tests of the core alone).
    settings: LaunchSettingsStep | None = None
    # Runs the action steps' executor calls (None: a driver with no executors, so steps of
    # outside types fail `NoExecutor` instead of hanging).
    steps: StepDriver | None = None

    def __post_init__(self) -> None:
        if self.steps is None:
            self.steps = StepDriver(ExecutorTable(), self.clock)

    def advance(self, execution_id: str, *, claimed: bool = False) -> Advanced:
        """Advance one execution; its log lines carry the execution id."""
        token = logcontext.execution_id.set(execution_id)
        try:
            return self._advance_claimed(execution_id, claimed=claimed)
        finally:
            logcontext.execution_id.reset(token)

    def _advance_claimed(self, execution_id: str, *, claimed: bool) -> Advanced:
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
        try:
            return self._pass(execution_id)
        except BaseException:
            # The kept copy may be half way through a pass: read the stored state next time.
            self._known.pop(execution_id, None)
            self._plans.pop(execution_id, None)
            raise

    def _pass(self, execution_id: str) -> Advanced:
        with self.store.read() as uow:
            ex = self._load(uow.executions, execution_id)
            commands = uow.executions.commands(execution_id)
            # An ENDED intent's batch is stored DONE (one save does both): nothing to fold.
            # Launch settings are the launch step's business: a pass reads intents without them.
            intents = uow.executions.intent_heads(execution_id)
        if ex is None:
            self._release(execution_id, None)
            return Advanced(execution_id, status="missing")
        now = self.clock.now()
        plan = self._plans.get(execution_id) if self._known.get(execution_id) is ex else None
        due = jobs_due(ex, plan, now, self.config, woken=bool(commands))
        obs = observe(ex, intents, self.drs, now, self.config, due)
        first = apply(ex, obs, commands, intents, self.config)
        pass_ = _Pass(original=ex, stored=ex, events=list(first.events), plan=plan, obs=obs)
        pass_.last_command = commands[-1].seq if commands else 0
        if first.intent_updates:
            # Reconciled intents, the state they lead to and its events land together.
            self._write(pass_, first.execution, first.intent_updates)
        intents = _updated(intents, first)
        working = first.execution
        # A wave that just started needs its scope's job listing in this same advance.
        wishes = all_wishes(working, self.config)
        faults = list_more(working, scopes_of(wishes), obs, self.drs, self.config)
        if faults:
            # Backing off changes no server or wave: the wishes stay what they were.
            late = apply_faults(working, faults, obs.now, self.config)
            working = late.execution
            pass_.events += late.events
        decision = decide(working, obs, self.config, wishes)
        if working is pass_.stored:
            # The launch-settings step records each server's settings on the copy it acts on.
            working = working_copy(working)
        actor = Actor(
            self.store, self.drs, self.clock, self.owner, self.config, self.rng, self.settings
        )
        outcomes = act(working, decision.wishes, obs, actor)
        second = apply_outcomes(working, outcomes, self.clock.now(), self.config)
        pass_.events += second.events
        final = self._run_steps(pass_, second.execution)
        return self._persist(pass_, final, intents)

    def _run_steps(self, pass_: _Pass, ex: Execution) -> Execution:
        """The action steps' due calls; each intent and answer is written as it happens."""

        def write(new: Execution, events: list[Event]) -> None:
            pass_.events += events
            self._write(pass_, new, [])

        assert self.steps is not None
        return self.steps.run(ex, write)

    def _load(self, repo: ExecutionRepository, execution_id: str) -> Execution | None:
        """The kept copy while the stored version has not moved, else the stored execution."""
        version = repo.version(execution_id)
        if version is None:
            return None
        kept = self._known.get(execution_id)
        if kept is not None and kept.version == version:
            return kept
        return repo.get(execution_id)

    def _write(self, pass_: _Pass, new: Execution, updates: list[Intent]) -> None:
        """Intent updates, the execution's changed records and the pending events, at once."""
        now = self.clock.now()
        with self.store.transaction() as uow:
            repo = uow.executions
            if not repo.holds(new.id, owner=self.owner, now=now):
                raise LeaseLost(new.id)
            for intent in updates:
                repo.update_intent_state(intent)
            self._save(repo, pass_, new, now)
        pass_.written += pass_.events
        pass_.stored, pass_.events, pass_.last_command = new, [], 0

    def _save(self, repo: ExecutionRepository, pass_: _Pass, new: Execution, now: datetime) -> bool:
        """Save what changed since the stored state, with the pass's events; False: nothing."""
        changes = changed_records(pass_.stored, new)
        if pass_.last_command:
            repo.drop_commands(new.id, pass_.last_command)
        if not (pass_.events or changes.any):
            return False
        new.version = pass_.stored.version + 1
        new.updated_at = now
        repo.save(new, expected_version=pass_.stored.version, changes=changes)
        repo.append_events(new.id, pass_.events)
        pass_.records += changes.records
        return True

    def _persist(self, pass_: _Pass, ex: Execution, intents: list[Intent]) -> Advanced:
        now = self.clock.now()
        seen = {key: frozenset(view.jobs) for key, view in pass_.obs.scopes.items()}
        kept = kept_looks(pass_.plan, read_jobs(ex, seen), now)
        jobs = job_looks(ex, now, self.config, kept, pass_.plan.jobs if pass_.plan else None)
        due = next_look(ex, now, self.config, jobs)
        ex.next_look_at = due
        events = pass_.written + pass_.events
        updates = close_intents(ex, intents)
        before = pass_.original
        with self.store.transaction() as uow:
            repo = uow.executions
            if not repo.holds(ex.id, owner=self.owner, now=now):
                raise LeaseLost(ex.id)
            saved = self._save(repo, pass_, ex, now)
            for intent in updates:
                repo.update_intent_state(intent)
            for key in set(before.waiting_scopes) - set(ex.waiting_scopes):
                account, region = key.split("/", 1)
                repo.set_waiting(ex.id, account, region, False)
            for key in _freed_scopes(before, ex):
                account, region = key.split("/", 1)
                for other in repo.waiting(account, region) - {ex.id}:
                    repo.schedule(other, now)  # capacity came free: they look at once
            repo.release(ex.id, owner=self.owner, due_at=due)
        self._keep(ex if saved else pass_.stored, LookPlan(due, jobs))
        if before.status != ex.status:
            log.info("execution %s: %s -> %s", ex.id, before.status, ex.status)
        if self.observer is not None:
            self.observer.advanced(before, ex)
        return Advanced(
            ex.id, status=ex.status, next_look_at=due, events=events, records=pass_.records
        )

    def _keep(self, ex: Execution, plan: LookPlan) -> None:
        """Keep the stored state and look plan for the next pass; a finished one is forgotten."""
        if plan.due_at is None:
            self._known.pop(ex.id, None)
            self._plans.pop(ex.id, None)
        else:
            self._known[ex.id] = ex
            self._plans[ex.id] = plan

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


@dataclass
class _Pass:
    """One advance's bookkeeping: the state it began from, what is stored, what is pending."""

    original: Execution
    stored: Execution
    events: list[Event]
    obs: Observation  # what the pass read (its jobs keep no old look)
    plan: LookPlan | None = None  # the look plan the pass began with (None: read every job)
    last_command: int = 0
    records: int = 0
    written: list[Event] = field(default_factory=list)  # events already stored this pass


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
) -> bool:
    """Apply queued operator commands at once; False when a worker is advancing the execution."""
    now = clock.now()
    until = now + timedelta(seconds=config.lease_seconds)
    with store.transaction() as uow:
        repo = uow.executions
        ex = repo.get(execution_id)
        if ex is None:
            return True
        if not repo.claim(execution_id, owner=owner, now=now, lease_until=until):
            return False
        commands = repo.commands(execution_id)
        applied = apply_commands(ex, commands, now)
        new = applied.execution
        new.version, new.updated_at = ex.version + 1, now
        repo.save(new, expected_version=ex.version, changes=changed_records(ex, new))
        repo.append_events(ex.id, applied.events)
        if commands:
            repo.drop_commands(ex.id, commands[-1].seq)
        # Due now, so the runner acts on the change (e.g. starts a cleanup) right away.
        repo.release(ex.id, owner=owner, due_at=now)
    return True
