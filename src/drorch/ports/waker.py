"""The waker port: how operator actions and new executions reach the engine driver at once."""

from __future__ import annotations

from typing import Protocol


class Waker(Protocol):
    """Asks the driver to advance an execution now instead of at its next due time."""

    def wake(self, execution_id: str) -> None: ...


class NoWaker:
    """A waker for processes without a driver: the due-time queue alone drives work."""

    def wake(self, execution_id: str) -> None:
        """Do nothing; the execution is already due in the store."""
