"""The waker port: how operator actions and new executions reach the engine driver at once."""

from __future__ import annotations

from typing import Protocol


class Waker(Protocol):
    """Asks the driver to advance an execution now instead of at its next due time.

    The local runner (engine/runner.py) and the Step Functions driver
    (adapters/aws/stepfunctions.py, which also starts an execution's loop) implement it.
    """

    def wake(self, execution_id: str) -> None: ...


class NoWaker:
    """A waker for processes without a driver: the due-time queue alone drives work."""

    def wake(self, execution_id: str) -> None:
        """Do nothing; the execution is already due in the store."""
