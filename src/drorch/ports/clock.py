"""The clock port, so tests can run hours of recovery in milliseconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time and sleeps."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class WallClock:
    """UTC wall time; the fallback of callers that were handed no clock (bootstrap passes one)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        time.sleep(max(seconds, 0.0))


WALL_CLOCK = WallClock()
