"""The status families of an execution's records: one StrEnum each, plus the sets rules use.

Values sent to or read from DRS (`DrsJobStatus`, `DrsLaunchStatus`) are byte-identical to the
DRS API model; the others are drorch's own and shared by the engine, the API and the UI.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class ExecutionStatus(StrEnum):
    """An execution's status."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    CANCELLING = "CANCELLING"
    COMPLETED = "COMPLETED"
    PARTIAL = "PARTIAL"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class WaveStatus(StrEnum):
    """A wave's status.

    PENDING: dependencies not met; HELD: pause_before waits for resume; SKIPPED: a
    dependency failed or was skipped; CANCELLED: cancelled before the wave finished.
    """

    PENDING = "PENDING"
    HELD = "HELD"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELLED = "CANCELLED"


class ServerStatus(StrEnum):
    """drorch's view of a server; `launch_status` keeps DRS's own value next to it."""

    PENDING = "PENDING"
    LAUNCHING = "LAUNCHING"
    LAUNCHED = "LAUNCHED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    CANCELLED = "CANCELLED"
    TERMINATED = "TERMINATED"


class StepStatus(StrEnum):
    """An action step's status in its wave run.

    PENDING: its phase has not come yet; RUNNING: started (or, for an approval, awaiting a
    decision); SIMULATED: a drill checked what it would change and changed nothing;
    SKIPPED: a drill skips it, or its wave did not run that far; CANCELLED: the execution
    was cancelled before it ended.
    """

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    SIMULATED = "SIMULATED"
    CANCELLED = "CANCELLED"


class UndoStatus(StrEnum):
    """Where a drill cleanup's undo of one step stands."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class CleanupStatus(StrEnum):
    """A drill's cleanup status (NOT_APPLICABLE for a recovery)."""

    NOT_APPLICABLE = "NOT_APPLICABLE"
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    INCOMPLETE = "INCOMPLETE"


class DrsJobStatus(StrEnum):
    """A DRS job's status, byte for byte the DRS API's JobStatus."""

    PENDING = "PENDING"
    STARTED = "STARTED"
    COMPLETED = "COMPLETED"


class DrsLaunchStatus(StrEnum):
    """A server's launch status in a DRS job, byte for byte the DRS API's LaunchStatus."""

    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    LAUNCHED = "LAUNCHED"
    FAILED = "FAILED"
    TERMINATED = "TERMINATED"


DrsJobType = Literal["LAUNCH", "TERMINATE", "CREATE_CONVERTED_SNAPSHOT"]


class BatchState(StrEnum):
    """A batch's state.

    INTENDED: intent recorded, DRS call not confirmed; ACTIVE: DRS job known; DONE: job
    ended; REJECTED: DRS refused the call for good (the servers fail); LOST: no job was
    created (the call failed, or reconciliation found none), so the servers went back to
    PENDING.
    """

    INTENDED = "INTENDED"
    ACTIVE = "ACTIVE"
    DONE = "DONE"
    REJECTED = "REJECTED"
    LOST = "LOST"


BatchKind = Literal["LAUNCH", "TERMINATE"]

ACTIVE_STATUSES: frozenset[str] = frozenset({"PENDING", "RUNNING", "PAUSED", "CANCELLING"})
TERMINAL_STATUSES: frozenset[str] = frozenset({"COMPLETED", "PARTIAL", "FAILED", "CANCELLED"})
TERMINAL_WAVES: frozenset[str] = frozenset({"COMPLETED", "FAILED", "SKIPPED", "CANCELLED"})
TERMINAL_SERVERS: frozenset[str] = frozenset(
    {"LAUNCHED", "FAILED", "SKIPPED", "CANCELLED", "TERMINATED"}
)
TERMINAL_STEPS: frozenset[str] = frozenset(
    {"SUCCEEDED", "FAILED", "SKIPPED", "SIMULATED", "CANCELLED"}
)
