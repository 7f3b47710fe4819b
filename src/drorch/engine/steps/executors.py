"""The table of step executors by action type, built by bootstrap (the StepExecutors port)."""

from __future__ import annotations

from collections.abc import Mapping

from drorch.ports.steps import StepExecutor


class ExecutorTable:
    """Type name -> executor; a type with none raises KeyError (the step fails `NoExecutor`)."""

    def __init__(self, executors: Mapping[str, StepExecutor] | None = None) -> None:
        self._executors = dict(executors or {})

    def for_type(self, type_name: str) -> StepExecutor:
        """The executor of `type_name`."""
        return self._executors[type_name]

    def types(self) -> list[str]:
        """The types that have an executor."""
        return sorted(self._executors)
