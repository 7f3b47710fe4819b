"""The Step Functions driver's rules: loop names, loop input, the Advance answer, failures.

The state machine (infra/state-machine.asl.json) loops Advance -> Choice -> Sleep -> Advance.
What the loop needs to know is decided here, without AWS: the name of the Step Functions
execution that drives an execution (a repeat start finds it taken), the input it starts
with, and what one advance answers (terminal? how long to sleep?).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drorch.domain.executions import Event, Execution
from drorch.engine.advance import Advanced, Engine
from drorch.ports.clock import Clock
from drorch.ports.store import Store

# Advance answers that say nothing about the execution: look again soon.
UNSETTLED = frozenset({"busy", "lease-lost", "error"})
BUSY_WAIT_SECONDS = 1
MAX_TEXT = 1000  # of a failure's error and cause on the timeline


def loop_name(execution: Execution) -> str:
    """The Step Functions execution name of the loop this execution needs now.

    The run's loop is named after the execution itself, so a second start of it finds the
    name taken. A drill's cleanup, started after that loop ended, gets its own name per
    round (its start time), since Step Functions never reuses a name.
    """
    if execution.terminal and execution.cleanup_started_at is not None:
        return f"{execution.id}-cleanup-{int(execution.cleanup_started_at.timestamp())}"
    return execution.id


def loop_input(
    execution_id: str, name: str, *, max_loops: int, generation: int = 0
) -> dict[str, Any]:
    """The input of a loop's Step Functions execution: no loop counted yet in it."""
    return {
        "execution_id": execution_id,
        "loop_name": name,
        "generation": generation,
        "loop": 0,
        "max_loops": max_loops,
    }


def generation_name(loop_name: str, generation: int) -> str:
    """The Step Functions name of a loop's `generation`: the loop's own name, then `-g<n>`."""
    return loop_name if generation == 0 else f"{loop_name}-g{generation}"


@dataclass(frozen=True)
class AdvanceAnswer:
    """What the Advance task returns to the state machine."""

    execution_id: str
    status: str
    terminal: bool
    wait_seconds: int
    version: int | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON document the Choice and Sleep states read."""
        return {
            "execution_id": self.execution_id,
            "status": self.status,
            "terminal": self.terminal,
            "wait_seconds": self.wait_seconds,
            "version": self.version,
        }


def answer(
    advanced: Advanced,
    *,
    now: datetime,
    max_wait: int,
    version: int | None,
    idle: bool = False,
) -> AdvanceAnswer:
    """The loop's next step after one advance: stop, or sleep until the engine's next look.

    `version` is the stored one after the advance (None: no such execution, so the loop
    ends); `idle` says the execution needs the engine no more, whatever the advance said.
    """
    unsettled = advanced.status in UNSETTLED
    terminal = idle or version is None or (advanced.next_look_at is None and not unsettled)
    return AdvanceAnswer(
        execution_id=advanced.execution_id,
        status="missing" if version is None else advanced.status,
        terminal=terminal,
        wait_seconds=wait_seconds(advanced.next_look_at, now, max_wait),
        version=version,
    )


def advance_once(engine: Engine, execution_id: str, *, max_wait: int) -> AdvanceAnswer:
    """The Advance task: one pass of the engine, and what the loop does next."""
    with engine.store.transaction() as uow:
        # The Sleep before this advance is over: a wake-up now has no token to send.
        uow.executions.set_wake_token(execution_id, None)
    advanced = engine.advance(execution_id)
    with engine.store.read() as uow:
        version = uow.executions.version(execution_id)
    # "busy" may also mean nothing is queued any more: then this loop has no work left.
    done = advanced.status == "busy" and version is not None and idle(engine.store, execution_id)
    return answer(advanced, now=engine.clock.now(), max_wait=max_wait, version=version, idle=done)


def wait_seconds(due: datetime | None, now: datetime, max_wait: int) -> int:
    """Whole seconds until `due` (Step Functions timeouts are integers), 1 to `max_wait`."""
    if due is None:
        return BUSY_WAIT_SECONDS
    seconds = math.ceil((due - now).total_seconds())
    return max(1, min(max_wait, seconds))


def record_loop_failure(
    *, store: Store, clock: Clock, execution_id: str, error: str, cause: str
) -> bool:
    """Put a failed loop's error on the execution's timeline; False for an unknown execution."""
    text = f"the Step Functions loop failed: {error[:MAX_TEXT]}: {cause[:MAX_TEXT]}"
    event = Event(at=clock.now(), actor="drorch", kind="driver.failed", message=text)
    with store.transaction() as uow:
        if uow.executions.version(execution_id) is None:
            return False
        uow.executions.append_events(execution_id, [event])
    return True


def idle(store: Store, execution_id: str) -> bool:
    """True when the execution is gone or the engine has nothing left to do for it."""
    with store.read() as uow:
        execution = uow.executions.get(execution_id)
    return execution is None or not execution.needs_engine()


def moved_since(store: Store, execution_id: str, version: int | None) -> bool:
    """True when the execution changed, or has queued commands, since the advance saw it."""
    with store.read() as uow:
        current = uow.executions.version(execution_id)
        queued = bool(uow.executions.commands(execution_id))
    return queued or (version is not None and current != version)
