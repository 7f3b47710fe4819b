"""The clock port, so tests can run hours of recovery in milliseconds."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the time and sleeps."""

    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...
