"""Source servers as drorch caches them from DRS."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import Field, computed_field, model_validator

from drorch.domain.common import Model

# DRS's DataReplicationState enum (botocore `drs` model), exactly.
ReplicationState = Literal[
    "STOPPED",
    "INITIATING",
    "INITIAL_SYNC",
    "BACKLOG",
    "CREATING_SNAPSHOT",
    "CONTINUOUS",
    "PAUSED",
    "RESCAN",
    "STALLED",
    "DISCONNECTED",
]
REPLICATION_STATES: tuple[str, ...] = get_args(ReplicationState)
HEALTHY_REPLICATION = frozenset({"CONTINUOUS"})

# Values of DRS `lastLaunchResult`.
LaunchResult = Literal["NOT_STARTED", "PENDING", "SUCCEEDED", "FAILED"]


class SourceServer(Model):
    """A replicating server known to DRS in one account and region."""

    id: str = Field(pattern=r"^s-[0-9a-zA-Z]{17}$")
    account_id: str = Field(pattern=r"^[0-9]{12}$")
    region: str
    hostname: str = ""
    os: str = "LINUX"
    tags: dict[str, str] = Field(default_factory=dict)
    replication_state: str = "CONTINUOUS"
    lag_seconds: float | None = None
    last_launch_result: LaunchResult = "NOT_STARTED"
    recovery_instance_id: str | None = None
    synced_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _drop_derived(cls, data: Any) -> Any:
        # Stored bodies carry the computed field for listings; it is always derived anew.
        if isinstance(data, dict) and "replication_healthy" in data:
            return {k: v for k, v in data.items() if k != "replication_healthy"}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def replication_healthy(self) -> bool:
        """True when DRS replicates the server continuously."""
        return self.replication_state in HEALTHY_REPLICATION

    def matches_tags(self, selector: dict[str, str]) -> bool:
        """True when every tag of the selector is on the server with the same value."""
        return all(self.tags.get(key) == value for key, value in selector.items())
