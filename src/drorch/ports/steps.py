"""The step executor port: how the engine asks an outside service to carry out one action.

An action step (a DynamoDB restore, a Route 53 change, an approval...) runs in three moves:
the engine records its intent, then `start`s it with a stable idempotency key, then `poll`s
it until it is terminal. After a crash between intent and call, `reconcile` asks the
service what it shows for that key before anything is repeated. A drill's cleanup calls
`undo` with what `changed` recorded, and polls the undo the same way.

Executors translate every service error: throttling raises `errors.StepThrottledError` (the
engine retries with backoff); a refusal (AccessDenied, ResourceNotFound...) is a FAILED
progress carrying the service's error code and message. They never raise raw SDK errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class StepState(StrEnum):
    """Where a started step (or its undo) stands."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class StepCall:
    """One action step as its executor sees it."""

    execution_id: str
    name: str  # the action's name, unique in its plan
    type: str
    params: Mapping[str, Any]  # already validated for the type; JSON-compatible
    account_id: str
    region: str
    idempotency_key: str  # the same on every retry and after a crash
    drill: bool
    simulate: bool = False  # in_drill=simulate: check what would change, change nothing


@dataclass(frozen=True)
class StepProgress:
    """What the service shows for a step: state, output, what changed, error."""

    state: StepState
    output: dict[str, Any] = field(default_factory=dict)  # shown on timeline and report
    changed: dict[str, Any] = field(default_factory=dict)  # enough to undo; empty = nothing
    error_code: str | None = None
    error_message: str | None = None
    poll_after: float | None = None  # RUNNING: seconds until the next poll is worth making


class StepExecutor(Protocol):
    """Carries out one action type against its service (in the target account's session)."""

    def start(self, call: StepCall) -> StepProgress: ...
    def poll(self, call: StepCall, last: StepProgress) -> StepProgress: ...
    def reconcile(self, call: StepCall) -> StepProgress | None: ...
    def undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress: ...


class StepExecutors(Protocol):
    """Finds the executor of an action type, and names the types it has executors for."""

    def for_type(self, type_name: str) -> StepExecutor: ...
    def types(self) -> list[str]: ...
