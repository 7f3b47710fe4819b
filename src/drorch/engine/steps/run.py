"""Act for action steps: call each due step's executor exactly once per intent.

For a start: the intent (attempt, idempotency key, `intent_at`) is written first, under the
lease; then the executor's `start` is called; then its answer is recorded with its events
in one write. A step found with an intent and no answer (a crash between the writes, or a
lost reply) is `reconcile`d with the service before anything is started again: only when
the service shows nothing for the key is it started anew. Throttling backs the step off
(`not_before`); any other refusal fails it with the service's error code and message.
The timeout (phases.py) and an attempts cap make sure nothing is retried forever.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from drorch.domain.executions import Event, Execution, StepRun, StepUndo
from drorch.domain.statuses import UndoStatus
from drorch.engine import rules as r
from drorch.engine.backoff import delay
from drorch.engine.rules import Changes
from drorch.engine.settle import settle
from drorch.engine.steps.due import StepWork, due_work
from drorch.engine.working import working_copy
from drorch.errors import DrorchError, StepThrottledError
from drorch.ports.clock import Clock
from drorch.ports.steps import StepCall, StepExecutors, StepProgress, StepState

log = logging.getLogger(__name__)

# Writes the working copy with these events under the lease (engine/advance.py).
Write = Callable[[Execution, list[Event]], None]


@dataclass(frozen=True)
class StepTimings:
    """Polling and retry limits of step calls, in seconds of the engine's clock."""

    poll: float = 5.0  # between polls when the executor gives no hint
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_attempts: int = 50  # calls that failed or were throttled before the step fails
    rounds: int = 5  # due-work rounds per pass (a step that ends lets the next one start)


@dataclass
class StepDriver:
    """Runs the due executor calls of an execution's steps (None executor: `NoExecutor`)."""

    executors: StepExecutors
    clock: Clock
    timings: StepTimings = field(default_factory=StepTimings)
    rng: random.Random = field(default_factory=random.Random)

    def run(self, ex: Execution, write: Write) -> Execution:
        """Make every call due now; returns the execution as last written."""
        for _ in range(self.timings.rounds):
            work = due_work(ex, self.clock.now())
            if not work:
                break
            for item in work:
                ex = self._one(ex, item, write)
        return ex

    def _one(self, ex: Execution, item: StepWork, write: Write) -> Execution:
        if item.kind == "start":
            ex = self._intend(ex, item, write)
        if item.kind in ("undo", "undo_poll"):
            return self._undo(ex, item, write)
        step = ex.waves[item.wave].steps[item.index]
        call = step_call(ex, step)
        answer = self._ask(item, call, step)
        if item.kind == "reconcile" and answer is None:
            ex = self._record(ex, item, write, _nothing_found)
            return self._one(ex, StepWork("start", item.wave, item.index), write)
        return self._record(ex, item, write, lambda s, c: self._fold(s, c, answer))

    def _intend(self, ex: Execution, item: StepWork, write: Write) -> Execution:
        """Record the intent before the call: a crash after it is reconciled, not repeated."""

        def intend(step: StepRun, changes: StepChanges) -> None:
            step.intent_at = changes.now
            step.attempts += 1
            step.idempotency_key = step.idempotency_key or f"{ex.id}:{step.name}"
            changes.note(
                "step.intent",
                f"step {step.name}: calling {step.type} (attempt {step.attempts})",
                wave=changes.wave,
                step=step.name,
                idempotency_key=step.idempotency_key,
            )

        return self._record(ex, item, write, intend, resettle=False)

    def _ask(self, item: StepWork, call: StepCall, step: StepRun) -> Any:
        """The executor's answer: a StepProgress, None (reconcile found nothing) or an error."""
        try:
            executor = self.executors.for_type(call.type)
        except KeyError as missing:  # no executor for the type (an error inside one is not this)
            return missing
        try:
            if item.kind == "start":
                return executor.start(call)
            if item.kind == "reconcile":
                return executor.reconcile(call)
            return executor.poll(call, last_progress(step))
        except DrorchError as exc:
            return exc
        except Exception as exc:  # an executor bug or a lost reply: reconciled next time
            log.exception("step %s: %s call failed", call.name, item.kind)
            return _Lost(f"{type(exc).__name__}: {exc}")

    def _fold(self, step: StepRun, changes: StepChanges, answer: Any) -> None:
        fold_answer(step, changes, answer, self.timings, self.rng.random())

    def _record(
        self,
        ex: Execution,
        item: StepWork,
        write: Write,
        mutate: Callable[[StepRun, StepChanges], None],
        *,
        resettle: bool = True,
    ) -> Execution:
        """Change one step on a fresh copy, settle, and write it with its events at once."""
        new = working_copy(ex)
        wave = new.waves[item.wave]
        changes = StepChanges(now=self.clock.now(), wave=wave.name)
        mutate(wave.steps[item.index], changes)
        if resettle:
            settle(new, changes)
        write(new, changes.events)
        return new

    def _undo(self, ex: Execution, item: StepWork, write: Write) -> Execution:
        step = ex.waves[item.wave].steps[item.index]
        call = step_call(ex, step)
        if item.kind == "undo":
            ex = self._record(ex, item, write, _undo_begins, resettle=False)
            step = ex.waves[item.wave].steps[item.index]
        answer: Any
        try:
            executor = self.executors.for_type(call.type)
        except KeyError:
            absent = KeyError(call.type)
            return self._record(ex, item, write, lambda s, c: self._fold_undo(s, c, absent))
        try:
            if item.kind == "undo":
                answer = executor.undo(call, step.changed)
            else:
                answer = executor.poll(call, _undo_progress(step))
        except DrorchError as exc:
            answer = exc
        except Exception as exc:
            log.exception("step %s: undo failed", call.name)
            answer = _Lost(f"{type(exc).__name__}: {exc}")
        return self._record(ex, item, write, lambda s, c: self._fold_undo(s, c, answer))

    def _fold_undo(self, step: StepRun, changes: StepChanges, answer: Any) -> None:
        fold_undo(step, changes, answer, self.timings, self.rng.random())


@dataclass
class StepChanges(Changes):
    """Changes to one step of one wave (folds read the wave's name from it)."""

    wave: str = ""


@dataclass(frozen=True)
class _Lost:
    """The call's answer never came (an unexpected error): the intent stays open."""

    message: str


def step_call(ex: Execution, step: StepRun) -> StepCall:
    """The executor's view of a step."""
    return StepCall(
        execution_id=ex.id,
        name=step.name,
        type=step.type,
        params=step.params,
        account_id=step.account_id or "",
        region=step.region or "",
        idempotency_key=step.idempotency_key or f"{ex.id}:{step.name}",
        drill=ex.is_drill,
        simulate=step.in_drill == "simulate",
    )


def last_progress(step: StepRun) -> StepProgress:
    """What the executor last reported for the step, as it gave it."""
    return StepProgress(
        state=StepState.RUNNING,
        output=dict(step.output),
        changed=dict(step.changed),
        error_code=step.error_code,
        error_message=step.error,
    )


def _undo_progress(step: StepRun) -> StepProgress:
    undo = step.undo
    output = dict(undo.output) if undo else {}
    return StepProgress(state=StepState.RUNNING, output=output, changed=dict(step.changed))


def _nothing_found(step: StepRun, changes: StepChanges) -> None:
    step.intent_at = None
    changes.note(
        "step.reconciled",
        f"step {step.name}: the service shows nothing for {step.idempotency_key}; starting it",
        wave=changes.wave,
        step=step.name,
    )


def fold_answer(
    step: StepRun, changes: StepChanges, answer: Any, timings: StepTimings, jitter: float
) -> None:
    """Record an executor's answer on the step (status changes go through the rules)."""
    wave = changes.wave
    if step.status != "RUNNING":
        return  # timed out or cancelled meanwhile: the answer changes nothing
    if isinstance(answer, StepProgress):
        _progress(step, changes, answer, wave, timings)
    elif isinstance(answer, StepThrottledError):
        _throttled(step, changes, answer, wave, timings, jitter)
    elif isinstance(answer, _Lost):
        step.not_before = changes.now + timedelta(seconds=timings.poll)
        changes.note("step.unknown", f"step {step.name}: {answer.message}; reconciling", wave=wave)
        _cap(step, changes, wave, timings)
    else:
        _refused(step, changes, answer, wave)


def _progress(
    step: StepRun, changes: Changes, progress: StepProgress, wave: str, timings: StepTimings
) -> None:
    step.called_at = step.called_at or changes.now
    step.output = dict(progress.output)
    if progress.changed:
        step.changed = dict(progress.changed)  # kept even if the step fails later: undo it
    if progress.state is StepState.RUNNING:
        gap = progress.poll_after if progress.poll_after is not None else timings.poll
        step.not_before = changes.now + timedelta(seconds=max(gap, 0.0))
    elif progress.state is StepState.SUCCEEDED:
        rule = r.STEP_SIMULATED if step.in_drill == "simulate" else r.STEP_SUCCEED
        r.move_step(step, rule, changes, wave)
    else:
        step.error_code = progress.error_code or "Failed"
        step.error = progress.error_message or "the service reported a failure"
        r.move_step(step, r.STEP_FAIL, changes, wave, f"{step.error_code}: {step.error}")


def _throttled(
    step: StepRun,
    changes: Changes,
    exc: StepThrottledError,
    wave: str,
    timings: StepTimings,
    jitter: float,
) -> None:
    if step.called_at is None:
        step.intent_at = None  # the start was refused: nothing was started
    wait = delay(
        step.attempts or 1,
        base=timings.backoff_base,
        cap=timings.backoff_cap,
        jitter=jitter,
        retry_after=exc.retry_after,
    )
    step.not_before = changes.now + timedelta(seconds=wait)
    changes.note(
        "step.throttled",
        f"step {step.name} throttled ({exc.detail}); next try in {wait:.1f}s",
        wave=wave,
        step=step.name,
        retry_in=round(wait, 3),
    )
    step.attempts += 1
    _cap(step, changes, wave, timings)


def _cap(step: StepRun, changes: Changes, wave: str, timings: StepTimings) -> None:
    if step.attempts >= timings.max_attempts and step.status == "RUNNING":
        step.error_code = "TooManyAttempts"
        step.error = f"gave up after {step.attempts} attempts"
        r.move_step(step, r.STEP_FAIL, changes, wave, step.error)


def _refused(step: StepRun, changes: StepChanges, exc: Exception, wave: str) -> None:
    step.error_code, step.error = refusal(step, exc)
    r.move_step(step, r.STEP_FAIL, changes, wave, f"{step.error_code}: {step.error}")


def refusal(step: StepRun, exc: Exception) -> tuple[str, str]:
    """(code, message) of a refused call: the service's, or `NoExecutor` for a missing one."""
    if isinstance(exc, KeyError):
        return "NoExecutor", f"no executor for type {step.type!r}"
    code = getattr(exc, "code", None) or type(exc).__name__
    return code, getattr(exc, "detail", None) or str(exc)


def _undo_begins(step: StepRun, changes: StepChanges) -> None:
    previous = step.undo
    attempts = (previous.attempts if previous and previous.status == "RUNNING" else 0) + 1
    step.undo = StepUndo(started_at=changes.now, attempts=attempts)
    changes.note(
        "step.undo",
        f"undoing step {step.name} ({step.type}), attempt {attempts}",
        wave=changes.wave,
        step=step.name,
    )


def fold_undo(
    step: StepRun, changes: StepChanges, answer: Any, timings: StepTimings, jitter: float
) -> None:
    """Record the answer to an undo call or poll."""
    undo = step.undo
    if undo is None:
        return
    wave = changes.wave
    if isinstance(answer, StepProgress):
        undo.called = True
        undo.output = dict(answer.output)
        if answer.state is StepState.RUNNING:
            gap = answer.poll_after if answer.poll_after is not None else timings.poll
            undo.not_before = changes.now + timedelta(seconds=gap)
            return
        undo.status = UndoStatus(answer.state.value)
        undo.error_code, undo.error = answer.error_code, answer.error_message
    elif isinstance(answer, StepThrottledError | _Lost):
        undo.not_before = changes.now + timedelta(seconds=timings.poll * (1 + jitter))
        undo.attempts += 1
        if undo.attempts < timings.max_attempts:
            return
        undo.status, undo.error_code, undo.error = UndoStatus.FAILED, "TooManyAttempts", "gave up"
    else:
        undo.status = UndoStatus.FAILED
        undo.error_code, undo.error = refusal(step, answer)
    undo.ended_at = changes.now
    text = f"undo of step {step.name} {undo.status}" + (
        f": {undo.error_code}: {undo.error}" if undo.status == "FAILED" else ""
    )
    changes.note(f"step.undo_{undo.status.lower()}", text, wave=wave, step=step.name)
