"""Clock adapters: the system clock for production, a manual clock for tests and benches."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SystemClock:
    """Wall-clock time in UTC; sleeping really sleeps."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block the calling thread."""
        time.sleep(max(seconds, 0.0))


class ManualClock:
    """Time that only moves when told to (sleep moves it too), shared safely by threads."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The current virtual time."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Move time forward instead of blocking."""
        self.advance(seconds)

    def advance(self, seconds: float) -> datetime:
        """Move time forward by `seconds` and return the new time."""
        with self._lock:
            self._now += timedelta(seconds=max(seconds, 0.0))
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (never backwards)."""
        with self._lock:
            self._now = max(self._now, moment)
