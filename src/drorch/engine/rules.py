"""Named transition rules: the only way statuses change, each with its allowed FROM/TO.

Every rule application appends an event to the change log, so the timeline records each
status change with who made it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from drorch.domain.executions import Event, Execution, Pause, ServerRun, StepRun, WaveRun
from drorch.domain.statuses import (
    CleanupStatus,
    ExecutionStatus,
    ServerStatus,
    StepStatus,
    WaveStatus,
)

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Exception):
    """A rule was applied to an object whose status is not one of its FROM states."""


@dataclass(frozen=True)
class Rule(Generic[S]):
    """A named status change allowed only from `sources` and leading to `target`."""

    name: str
    sources: frozenset[S]
    target: S

    def allows(self, status: str) -> bool:
        """True when the rule may fire from `status`."""
        return status in self.sources


def rule(family: type[S], name: str, sources: str, target: str) -> Rule[S]:
    """A rule of one status family from a space-separated list of FROM states."""
    return Rule(name, frozenset(family(s) for s in sources.split()), family(target))


# Execution rules.
BEGIN = rule(ExecutionStatus, "begin", "PENDING", "RUNNING")
PAUSE = rule(ExecutionStatus, "pause", "PENDING RUNNING", "PAUSED")
HOLD = rule(ExecutionStatus, "hold", "RUNNING", "PAUSED")
RESUME = rule(ExecutionStatus, "resume", "PAUSED", "RUNNING")
CANCEL = rule(ExecutionStatus, "cancel", "PENDING RUNNING PAUSED", "CANCELLING")
CANCELLED = rule(ExecutionStatus, "cancelled", "CANCELLING", "CANCELLED")
COMPLETE = rule(ExecutionStatus, "complete", "RUNNING PAUSED", "COMPLETED")
PARTIAL = rule(ExecutionStatus, "partial", "RUNNING PAUSED", "PARTIAL")
FAIL = rule(ExecutionStatus, "fail", "RUNNING PAUSED", "FAILED")
EXECUTION_RULES = (BEGIN, PAUSE, HOLD, RESUME, CANCEL, CANCELLED, COMPLETE, PARTIAL, FAIL)

# Wave rules.
WAVE_HOLD = rule(WaveStatus, "wave_hold", "PENDING", "HELD")
WAVE_START = rule(WaveStatus, "wave_start", "PENDING HELD", "RUNNING")
WAVE_COMPLETE = rule(WaveStatus, "wave_complete", "RUNNING", "COMPLETED")
WAVE_FAIL = rule(WaveStatus, "wave_fail", "RUNNING", "FAILED")
WAVE_SKIP = rule(WaveStatus, "wave_skip", "PENDING HELD", "SKIPPED")
WAVE_CANCEL = rule(WaveStatus, "wave_cancel", "PENDING HELD RUNNING", "CANCELLED")
WAVE_RULES = (WAVE_HOLD, WAVE_START, WAVE_COMPLETE, WAVE_FAIL, WAVE_SKIP, WAVE_CANCEL)

# Server rules.
DISPATCH = rule(ServerStatus, "dispatch", "PENDING", "LAUNCHING")
REQUEUE = rule(ServerStatus, "requeue", "LAUNCHING", "PENDING")
LAUNCHED = rule(ServerStatus, "launched", "LAUNCHING", "LAUNCHED")
LAUNCH_FAILED = rule(ServerStatus, "launch_failed", "PENDING LAUNCHING", "FAILED")
SERVER_SKIP = rule(ServerStatus, "server_skip", "PENDING", "SKIPPED")
SERVER_CANCEL = rule(ServerStatus, "server_cancel", "PENDING", "CANCELLED")
TERMINATED = rule(ServerStatus, "terminated", "LAUNCHED FAILED", "TERMINATED")
SERVER_RULES = (DISPATCH, REQUEUE, LAUNCHED, LAUNCH_FAILED, SERVER_SKIP, SERVER_CANCEL, TERMINATED)

# Drill cleanup rules.
CLEANUP_START = rule(CleanupStatus, "cleanup_start", "NOT_STARTED INCOMPLETE", "IN_PROGRESS")
CLEANUP_DONE = rule(CleanupStatus, "cleanup_done", "IN_PROGRESS", "COMPLETED")
CLEANUP_LEFTOVERS = rule(CleanupStatus, "cleanup_leftovers", "IN_PROGRESS", "INCOMPLETE")
CLEANUP_RULES = (CLEANUP_START, CLEANUP_DONE, CLEANUP_LEFTOVERS)

# Action step rules (engine/steps/).
STEP_START = rule(StepStatus, "step_start", "PENDING", "RUNNING")
STEP_SUCCEED = rule(StepStatus, "step_succeed", "RUNNING", "SUCCEEDED")
STEP_SIMULATED = rule(StepStatus, "step_simulated", "PENDING RUNNING", "SIMULATED")
STEP_FAIL = rule(StepStatus, "step_fail", "PENDING RUNNING", "FAILED")
STEP_TIMEOUT = rule(StepStatus, "step_timeout", "RUNNING", "FAILED")
STEP_APPROVE = rule(StepStatus, "step_approve", "RUNNING", "SUCCEEDED")
STEP_DECLINE = rule(StepStatus, "step_decline", "RUNNING", "FAILED")
STEP_SKIP = rule(StepStatus, "step_skip", "PENDING", "SKIPPED")
STEP_CANCEL = rule(StepStatus, "step_cancel", "PENDING RUNNING", "CANCELLED")
STEP_RULES = (
    STEP_START,
    STEP_SUCCEED,
    STEP_SIMULATED,
    STEP_FAIL,
    STEP_TIMEOUT,
    STEP_APPROVE,
    STEP_DECLINE,
    STEP_SKIP,
    STEP_CANCEL,
)


@dataclass
class Changes:
    """Events produced while applying rules to one execution (pure: nothing is written)."""

    now: datetime
    actor: str = "drorch"
    events: list[Event] = field(default_factory=list)
    comment: str | None = None  # an operator's words on the action these changes follow

    def note(self, kind: str, message: str, **extra: Any) -> None:
        """Record an event that is not a status change (errors, warnings, DRS calls)."""
        wave = extra.pop("wave", None)
        server = extra.pop("source_server_id", None)
        if self.comment:
            extra["comment"] = self.comment
        self.events.append(
            Event(
                at=self.now,
                actor=self.actor,
                kind=kind,
                message=message,
                wave=wave,
                source_server_id=server,
                data=extra,
            )
        )


def _check(rule_: Rule[Any], status: str, what: str) -> None:
    if not rule_.allows(status):
        raise IllegalTransition(
            f"{rule_.name}: {what} is {status}, not one of {sorted(rule_.sources)}"
        )


def move_execution(
    ex: Execution, rule_: Rule[ExecutionStatus], changes: Changes, why: str = ""
) -> None:
    """Apply an execution rule in place on the engine's working copy."""
    _check(rule_, ex.status, f"execution {ex.id}")
    before, ex.status = ex.status, rule_.target
    if rule_ is BEGIN:
        ex.started_at = changes.now
    _track_pause(ex, before, rule_, changes.now)
    if ex.terminal:
        ex.ended_at = changes.now
    text = f"execution {before} -> {ex.status}" + (f": {why}" if why else "")
    changes.note(f"execution.{rule_.name}", text, status=ex.status)


def _track_pause(ex: Execution, before: str, rule_: Rule[ExecutionStatus], now: datetime) -> None:
    # Time spent PAUSED is kept as intervals: the RTO achieved leaves it out.
    if rule_.target == "PAUSED":
        ex.pauses.append(Pause(started_at=now, rule=rule_.name))
    elif before == "PAUSED" and ex.pauses and ex.pauses[-1].ended_at is None:
        ex.pauses[-1].ended_at = now


def move_wave(wave: WaveRun, rule_: Rule[WaveStatus], changes: Changes, why: str = "") -> None:
    """Apply a wave rule in place."""
    _check(rule_, wave.status, f"wave {wave.name}")
    before, wave.status = wave.status, rule_.target
    if rule_ is WAVE_START:
        wave.started_at = changes.now
    elif rule_.target in ("COMPLETED", "FAILED", "SKIPPED", "CANCELLED"):
        wave.ended_at = changes.now
    text = f"wave {wave.name} {before} -> {wave.status}" + (f": {why}" if why else "")
    changes.note(f"wave.{rule_.name}", text, wave=wave.name, status=wave.status)


def move_server(server: ServerRun, rule_: Rule[ServerStatus], now: datetime) -> None:
    """Apply a server rule in place; server changes are summarised per batch by the caller."""
    _check(rule_, server.status, f"server {server.source_server_id}")
    server.status = rule_.target
    if rule_ is DISPATCH:
        server.started_at = now
    elif rule_ is REQUEUE:
        server.started_at = None
    elif rule_ is TERMINATED:
        # The launch's start, end and result stay as they were: cleanup is recorded apart.
        server.terminated_at = now
    elif rule_.target != "LAUNCHING":
        server.ended_at = now


def move_cleanup(
    ex: Execution, rule_: Rule[CleanupStatus], changes: Changes, why: str = ""
) -> None:
    """Apply a drill cleanup rule in place."""
    _check(rule_, ex.cleanup_status, f"cleanup of {ex.id}")
    before, ex.cleanup_status = ex.cleanup_status, rule_.target
    text = f"cleanup {before} -> {ex.cleanup_status}" + (f": {why}" if why else "")
    changes.note(f"cleanup.{rule_.name}", text, cleanup_status=ex.cleanup_status)


def move_step(
    step: StepRun, rule_: Rule[StepStatus], changes: Changes, wave: str, why: str = ""
) -> None:
    """Apply an action step rule in place (on a step of the working copy)."""
    _check(rule_, step.status, f"step {step.name}")
    before, step.status = step.status, rule_.target
    if rule_ is STEP_START:
        step.started_at = step.started_at or changes.now
    elif step.terminal:
        step.ended_at = changes.now
        step.not_before = None
    text = f"step {step.name} ({step.type}) {before} -> {step.status}" + (f": {why}" if why else "")
    changes.note(f"step.{rule_.name}", text, wave=wave, step=step.name, status=step.status)
