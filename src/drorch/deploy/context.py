"""What one deploy run works with: the target environment, the request, the reporter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from drorch.deploy.aws import Aws
from drorch.deploy.changes import ChangeRow
from drorch.deploy.package import Package


class Reporter(Protocol):
    """How the deploy tells the operator what happens (a terminal, or JSON for CI)."""

    def step(self, text: str) -> None:
        """A step started or ended."""

    def changes(self, rows: list[ChangeRow]) -> None:
        """The change set's planned changes."""

    def confirm(self, rows: list[ChangeRow]) -> bool:
        """Whether to run the change set."""

    def event(self, event: dict[str, Any]) -> None:
        """One stack event while the rollout runs."""


@dataclass(frozen=True)
class Target:
    """Where and what to deploy: the environment, its Region's clients and the inputs."""

    env: str
    aws: Aws
    infra_dir: Path
    ui_dir: Path | None


@dataclass(frozen=True)
class Request:
    """One `drorch deploy` run's choices."""

    package: Package
    parameters: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    admin_password: str | None = None
    # Ids to use where the stack has none (e.g. a CloudFormation that skipped a resource).
    overrides: Mapping[str, str] = field(default_factory=dict)
