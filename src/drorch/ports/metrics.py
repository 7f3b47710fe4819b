"""Metrics ports: what the engine, the AWS adapters and the API report, and store figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from drorch.domain.executions import Execution


class EngineObserver(Protocol):
    """Told of every execution an advance stored, before and after."""

    def advanced(self, before: Execution, after: Execution) -> None: ...


class AwsCallSink(Protocol):
    """Counts AWS calls as the botocore hooks see them."""

    def aws_call(self, service: str, operation: str, error: str | None) -> None: ...
    def aws_throttled(self, service: str, operation: str) -> None: ...


@dataclass(frozen=True)
class EngineQueue:
    """The engine's due-time queue: executions due now and how late the oldest one is."""

    due: int
    leased: int
    oldest_due_at: datetime | None


class StoreFigures(Protocol):
    """Figures read from the store when metrics are scraped."""

    def execution_counts(self) -> dict[tuple[str, str], int]: ...  # (type, status) -> count
    def engine_queue(self, now: datetime) -> EngineQueue: ...
